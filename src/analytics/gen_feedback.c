/* Synthetic survey answers (see gen_feedback.h): a score from a fixed distribution and one of a
 * few comments per language and NPS group, written with words of data/triage/LANG.tsv. */
#include "analytics/gen_feedback.h"

#include <string.h>

#include "analytics/sample.h"

#define NCOMMENTS 3

/* [language][group: detractor, passive, promoter][k] */
static const struct {
    const char *lang;
    const char *text[3][NCOMMENTS];
} comments[] = {
    {"en",
     {{"Waited twenty minutes and the coffee was cold. The staff were rude.",
       "Too expensive for such a small cup, and the table was dirty.",
       "The app would not load my card again. Very disappointed."},
      {"Good coffee but the queue was slow.", "Nice place, a bit noisy in the afternoon.",
       "Good enough, but a bit slow today."},
      {"Lovely staff and delicious pastries, I always come back!",
       "Best kopi in town, friendly and fast.", "Great coffee, clean tables, thank you!"}}},
    {"ms",
     {{"Tunggu lama sangat dan kopi sejuk. Pekerja kasar.", "Mahal sangat, meja kotor.",
       "Aplikasi tak boleh buka kad saya, kecewa."},
      {"Kopi bagus tapi lambat sikit.", "Tempat selesa, tapi bising.",
       "Okay je, tapi agak lambat."},
      {"Kopi sedap dan pekerja sangat peramah!", "Terbaik, cepat dan bersih.",
       "Roti segar, harga berpatutan, terima kasih!"}}},
    {"hu",
     {{"Sokat kellett várni, a kávé hideg volt, a pincér udvariatlan.",
       "Túl drága, és piszkos volt az asztal.",
       "Az alkalmazás megint nem működött, csalódott vagyok."},
      {"Jó kávé, de lassú a kiszolgálás.", "Kellemes hely, kicsit zajos.", "Rendben volt."},
      {"Isteni a kávé és nagyon kedves a személyzet!",
       "A legjobb kávézó a környéken, gyors és tiszta.",
       "Friss péksütemény, kiváló kávé, köszönöm!"}}},
    {"bn",
     {{"অনেকক্ষণ অপেক্ষা করতে হয়েছে, কফি ঠান্ডা ছিল। কর্মীরা অভদ্র।", "খুব দাম, টেবিল নোংরা ছিল।",
       "অ্যাপে আমার কার্ড খোলে না, হতাশ।"},
      {"কফি ভালো কিন্তু একটু দেরি হয়েছে।", "জায়গাটা সুন্দর, তবে একটু কোলাহল।", "ঠিকঠাক।"},
      {"কফি দারুণ, কর্মীরা খুব আন্তরিক!", "সেরা কফি, দ্রুত আর পরিষ্কার।", "টাটকা খাবার, ধন্যবাদ!"}}},
};

/* P(score = s) in percent, s = 0..10: 20 % detractors, 30 % passives, 50 % promoters */
static const int score_pct[11] = {2, 1, 2, 2, 3, 4, 6, 12, 18, 22, 28};

loy_gen_answer loy_gen_feedback(uint64_t seed, int64_t survey_id, const char *locale)
{
    loy_rng g;
    loy_rng_seed(&g, seed ^ ((uint64_t)survey_id * 0x9E3779B97F4A7C15ULL) ^ 0xfeedbacc);
    loy_gen_answer a = {0};
    a.answers = loy_rng_unif(&g) < 0.6;
    a.delay = 600 + (int64_t)(loy_rng_unif(&g) * 2 * 86400);
    double u = loy_rng_unif(&g) * 100, acc = 0;
    a.score = 10;
    for (int s = 0; s <= 10; s++) {
        acc += score_pct[s];
        if (u < acc) {
            a.score = s;
            break;
        }
    }
    if (loy_rng_unif(&g) < 0.3) return a;
    size_t lang = 0;
    for (size_t i = 0; i < sizeof(comments) / sizeof(comments[0]); i++)
        if (locale && !strcmp(locale, comments[i].lang)) lang = i;
    int group = a.score >= 9 ? 2 : a.score >= 7 ? 1 : 0;
    size_t k = (size_t)(loy_rng_unif(&g) * NCOMMENTS);
    a.comment = comments[lang].text[group][k < NCOMMENTS ? k : NCOMMENTS - 1];
    return a;
}
