/* The command table: every `loyalty` command, its flags and its one-line help. */
#include "cli/cli_int.h"

#define CMD(fn) int fn(loy_cli *cli, loy_app *app, loy_err *err)
CMD(loy_cmd_init);
CMD(loy_cmd_programme_check);
CMD(loy_cmd_programme_show);
CMD(loy_cmd_programme_set);
CMD(loy_cmd_programme_history);
CMD(loy_cmd_member_add);
CMD(loy_cmd_member_show);
CMD(loy_cmd_member_edit);
CMD(loy_cmd_member_find);
CMD(loy_cmd_member_ledger);
CMD(loy_cmd_member_export);
CMD(loy_cmd_member_erase);
extern const loy_flag loy_member_export_flags[], loy_member_erase_flags[];
CMD(loy_cmd_purchase);
CMD(loy_cmd_refund);
CMD(loy_cmd_redeem);
CMD(loy_cmd_adjust);
CMD(loy_cmd_voucher_use);
CMD(loy_cmd_voucher_check);
CMD(loy_cmd_db_verify);
CMD(loy_cmd_db_migrate);
CMD(loy_cmd_expire);
CMD(loy_cmd_backup);
CMD(loy_cmd_restore);
CMD(loy_cmd_demo);
CMD(loy_cmd_serve);
CMD(loy_cmd_apikey_create);
CMD(loy_cmd_apikey_list);
CMD(loy_cmd_apikey_revoke);
CMD(loy_cmd_openapi);
CMD(loy_cmd_member_rotate_card);
CMD(loy_cmd_cards_print);
CMD(loy_cmd_poster);
extern const loy_flag loy_poster_flags[];
CMD(loy_cmd_merchant_add);
CMD(loy_cmd_user_add);
CMD(loy_cmd_user_passwd);
CMD(loy_cmd_user_list);
CMD(loy_cmd_webhook_add);
CMD(loy_cmd_webhook_list);
CMD(loy_cmd_webhook_remove);
CMD(loy_cmd_webhook_drain);
extern const loy_flag loy_webhook_add_flags[], loy_webhook_drain_flags[];
CMD(loy_cmd_report_kpis);
CMD(loy_cmd_report_churn);
CMD(loy_cmd_report_cohorts);
CMD(loy_cmd_report_pareto);
CMD(loy_cmd_report_rfm);
CMD(loy_cmd_report_advocacy);
CMD(loy_cmd_report_economics);
CMD(loy_cmd_report_clv);
extern const loy_flag loy_report_flags[];
CMD(loy_cmd_model_fit);
CMD(loy_cmd_model_show);
CMD(loy_cmd_model_predict);
extern const loy_flag loy_model_fit_flags[], loy_model_predict_flags[];
CMD(loy_cmd_feedback_triage);
extern const loy_flag loy_triage_flags[];
CMD(loy_cmd_report_nps);
CMD(loy_cmd_feedback_list);
CMD(loy_cmd_case_list);
CMD(loy_cmd_case_show);
CMD(loy_cmd_case_note);
CMD(loy_cmd_case_set);
extern const loy_flag loy_feedback_list_flags[], loy_case_list_flags[], loy_case_note_flags[],
    loy_case_set_flags[];
CMD(loy_cmd_referral_list);
CMD(loy_cmd_referral_approve);
CMD(loy_cmd_referral_reject);
CMD(loy_cmd_staff_flags); /* cmd_staff.c */
CMD(loy_cmd_staff_dismiss);
extern const loy_flag loy_staff_flags_flags[], loy_staff_dismiss_flags[];
extern const loy_flag loy_referral_list_flags[];
CMD(loy_cmd_messages_send);
CMD(loy_cmd_messages_list);
CMD(loy_cmd_message_queue);
CMD(loy_cmd_campaign_preview);
extern const loy_flag loy_messages_send_flags[], loy_messages_list_flags[],
    loy_message_queue_flags[], loy_campaign_preview_flags[];
CMD(loy_cmd_campaign_create); /* cmd_campaign.c */
CMD(loy_cmd_campaign_send);
CMD(loy_cmd_campaign_list);
CMD(loy_cmd_campaign_results);
extern const loy_flag loy_campaign_create_flags[], loy_campaign_list_flags[];
CMD(loy_cmd_import_members);
CMD(loy_cmd_import_purchases);
extern const loy_flag loy_import_flags[];

extern const loy_flag loy_purchase_flags[], loy_refund_flags[], loy_redeem_flags[],
    loy_adjust_flags[], loy_voucher_flags[], loy_member_flags[], loy_demo_flags[],
    loy_serve_flags[], loy_apikey_flags[], loy_user_flags[];

static const loy_flag init_flags[] = {{"programme", "programme", F_STR, "programme JSON file"},
                                      {NULL, NULL, F_STR, NULL}};
static const loy_flag backup_flags[] = {{"to", "to", F_STR, "file to write the copy to"},
                                        {NULL, NULL, F_STR, NULL}};
static const loy_flag cards_flags[] = {{"out", "out", F_STR, "HTML file to write (default stdout)"},
                                       {NULL, NULL, F_STR, NULL}};
static const loy_flag restore_flags[] = {{"from", "from", F_STR, "backup file to restore"},
                                         {NULL, NULL, F_STR, NULL}};

const loy_cmd loy_commands[] = {
    {"init", loy_cmd_init, init_flags, "[PROGRAMME]", "create a database from a programme file", 1},
    {"programme check", loy_cmd_programme_check, NULL, "FILE",
     "validate a programme file (JSON path, expected, got)", 0},
    {"programme show", loy_cmd_programme_show, NULL, "[VERSION]", "print the active programme", 2},
    {"programme set", loy_cmd_programme_set, NULL, "FILE",
     "validate and activate a new programme version", 2},
    {"programme history", loy_cmd_programme_history, NULL, NULL, "list programme versions", 2},
    {"member add", loy_cmd_member_add, loy_member_flags, NULL, "enrol a member (join)", 2},
    {"member show", loy_cmd_member_show, NULL, "MEMBER",
     "balances, stamp card, tier progress, expiring points, rewards", 2},
    {"member edit", loy_cmd_member_edit, loy_member_flags, "MEMBER", "change member details", 2},
    {"member find", loy_cmd_member_find, NULL, "QUERY",
     "search by name fragment (any script), phone, email or card", 2},
    {"member ledger", loy_cmd_member_ledger, NULL, "MEMBER", "full ledger history", 2},
    {"member export", loy_cmd_member_export, loy_member_export_flags, "MEMBER",
     "everything held about a member as one JSON document (audited)", 2},
    {"member erase", loy_cmd_member_erase, loy_member_erase_flags, "MEMBER",
     "erase a member's personal data for good (--reason; ledger kept under a pseudonym)", 2},
    {"purchase", loy_cmd_purchase, loy_purchase_flags, "[MEMBER]",
     "record a purchase (or --dry-run) and explain what it earned", 2},
    {"refund", loy_cmd_refund, loy_refund_flags, NULL,
     "refund all or part of a purchase, reversing its earnings", 2},
    {"redeem", loy_cmd_redeem, loy_redeem_flags, NULL, "redeem a reward for a voucher", 2},
    {"adjust", loy_cmd_adjust, loy_adjust_flags, NULL,
     "add or remove points or stamps with a reason", 2},
    {"voucher check", loy_cmd_voucher_check, NULL, "CODE", "is a voucher valid?", 2},
    {"voucher use", loy_cmd_voucher_use, loy_voucher_flags, "CODE", "use a voucher once", 2},
    {"expire", loy_cmd_expire, NULL, NULL,
     "daily jobs: activate pending points, expire lots, review tiers, birthday bonuses", 2},
    {"jobs run", loy_cmd_expire, NULL, NULL,
     "the daily jobs (as `expire`, for cron): housekeeping, referral bonuses, engagement messages",
     2},
    {"db verify", loy_cmd_db_verify, NULL, NULL, "check every ledger invariant", 2},
    {"db migrate", loy_cmd_db_migrate, NULL, NULL, "apply schema migrations", 1},
    {"backup", loy_cmd_backup, backup_flags, "[COPY]", "online backup of the database", 1},
    {"restore", loy_cmd_restore, restore_flags, "[COPY]",
     "restore a verified backup into a new database file", 0},
    {"demo", loy_cmd_demo, loy_demo_flags, NULL, "load demo members and a year of purchases", 2},
    {"demo generate", loy_cmd_demo, loy_demo_flags, NULL,
     "seeded realistic data (BG/NBD, Gamma-Gamma, referrals); --history-only: bulk history", 2},
    {"serve", loy_cmd_serve, loy_serve_flags, NULL,
     "run the HTTP JSON API server (settings: defaults, --config file, LOYALTY_* env, flags)", 0},
    {"apikey create", loy_cmd_apikey_create, loy_apikey_flags, NULL,
     "create an API key for an integration (shown once)", 2},
    {"apikey list", loy_cmd_apikey_list, NULL, NULL, "list API keys", 2},
    {"apikey revoke", loy_cmd_apikey_revoke, NULL, "ID", "revoke an API key", 2},
    {"merchant add", loy_cmd_merchant_add, init_flags, "[PROGRAMME]",
     "add another merchant to the database (multi-merchant deployments)", 2},
    {"user add", loy_cmd_user_add, loy_user_flags, NULL,
     "add a staff user (password on stdin or in LOYALTY_PASSWORD)", 2},
    {"user passwd", loy_cmd_user_passwd, NULL, "USERNAME", "change a staff user's password", 2},
    {"user list", loy_cmd_user_list, NULL, NULL, "list staff users", 2},
    {"member rotate-card", loy_cmd_member_rotate_card, NULL, "MEMBER",
     "issue a new card token (the old card stops working)", 2},
    {"cards print", loy_cmd_cards_print, cards_flags, NULL,
     "a printable HTML sheet of member cards with QR codes", 2},
    {"poster", loy_cmd_poster, loy_poster_flags, "LOCATION",
     "a print-ready A4 join poster for a location: QR code of BASE/join/{id} (--url BASE)", 2},
    {"webhook add", loy_cmd_webhook_add, loy_webhook_add_flags, "URL",
     "subscribe a URL to events (--event, repeatable); prints the signing secret once", 2},
    {"webhook list", loy_cmd_webhook_list, NULL, NULL,
     "list webhook subscriptions and their deliveries", 2},
    {"webhook remove", loy_cmd_webhook_remove, NULL, "ID",
     "delete a webhook subscription (its pending deliveries are cancelled)", 2},
    {"webhook drain", loy_cmd_webhook_drain, loy_webhook_drain_flags, NULL,
     "deliver due webhook events now (retries included)", 2},
    {"report kpis", loy_cmd_report_kpis, loy_report_flags, NULL,
     "members, active, new, repeat rate, frequency, order value, revenue by location", 2},
    {"report churn", loy_cmd_report_churn, loy_report_flags, NULL,
     "churn rate per month (lost = no purchase for --days, default 90)", 2},
    {"report cohorts", loy_cmd_report_cohorts, loy_report_flags, NULL,
     "retention by join month: share of each cohort purchasing k months later", 2},
    {"report pareto", loy_cmd_report_pareto, loy_report_flags, NULL,
     "revenue share of the top --top percent, Lorenz curve, Gini coefficient", 2},
    {"report rfm", loy_cmd_report_rfm, loy_report_flags, NULL,
     "recency, frequency, monetary quintiles and named segments with member ids", 2},
    {"report advocacy", loy_cmd_report_advocacy, loy_report_flags, NULL,
     "spenders vs senders: own spend next to referred members' revenue", 2},
    {"report economics", loy_cmd_report_economics, loy_report_flags, NULL,
     "points issued, redeemed, expired, outstanding, liability, breakage, vouchers", 2},
    {"report clv", loy_cmd_report_clv, loy_report_flags, NULL,
     "lifetime value: simple (value x frequency x lifespan) and predictive per member", 2},
    {"model fit", loy_cmd_model_fit, loy_model_fit_flags, NULL,
     "fit BG/NBD (or Pareto/NBD) and Gamma-Gamma on purchase history; kept as a new model", 2},
    {"model show", loy_cmd_model_show, NULL, NULL,
     "latest fitted model of each kind, with its holdout check", 2},
    {"model predict", loy_cmd_model_predict, loy_model_predict_flags, "MEMBER",
     "P(alive), expected purchases and discounted CLV of a member", 2},
    {"import members", loy_cmd_import_members, loy_import_flags, "FILE",
     "import members from a CSV file (bad rows reported by line and skipped)", 2},
    {"import purchases", loy_cmd_import_purchases, loy_import_flags, "FILE",
     "import historical purchases from a CSV or whitespace file, exactly once, in date order", 2},
    {"feedback triage", loy_cmd_feedback_triage, loy_triage_flags, "TEXT",
     "sentiment, topics and urgency of a customer comment, with the words that decided them", 0},
    {"report nps", loy_cmd_report_nps, loy_report_flags, NULL,
     "Net Promoter Score overall, per location and month, with its 95% CI and what it means", 2},
    {"feedback list", loy_cmd_feedback_list, loy_feedback_list_flags, NULL,
     "survey responses with score, comment and triage (--order urgent: most urgent first)", 2},
    {"case list", loy_cmd_case_list, loy_case_list_flags, NULL,
     "detractor follow-up cases, newest first (--status open|contacted|resolved)", 2},
    {"case show", loy_cmd_case_show, NULL, "ID", "a follow-up case with its answer and notes", 2},
    {"case note", loy_cmd_case_note, loy_case_note_flags, "ID",
     "add a note to a case (--text); it records who wrote it", 2},
    {"case set", loy_cmd_case_set, loy_case_set_flags, "ID",
     "change a case's status (open, contacted, resolved) or assignee", 2},
    {"referral list", loy_cmd_referral_list, loy_referral_list_flags, NULL,
     "referrals with status and reason, newest first (--status flagged: the owner's review)", 2},
    {"referral approve", loy_cmd_referral_approve, NULL, "ID",
     "approve a flagged referral: it pays after the return window", 2},
    {"referral reject", loy_cmd_referral_reject, NULL, "ID",
     "reject a flagged referral: it never pays", 2},
    {"staff flags", loy_cmd_staff_flags, loy_staff_flags_flags, NULL,
     "staff writes blocked or flagged by the fraud controls (--status open), newest first", 2},
    {"staff dismiss", loy_cmd_staff_dismiss, loy_staff_dismiss_flags, "ID",
     "dismiss an open staff flag that needs no action (--reason, audited)", 2},
    {"messages send", loy_cmd_messages_send, loy_messages_send_flags, NULL,
     "send the due messages now (consent, cap, quiet hours checked; for cron)", 2},
    {"messages list", loy_cmd_messages_list, loy_messages_list_flags, NULL,
     "messages to members with their status and reason (--member, --status)", 2},
    {"message queue", loy_cmd_message_queue, loy_message_queue_flags, NULL,
     "queue one message to a member by hand (--member, --trigger, --offer)", 2},
    {"campaign preview", loy_cmd_campaign_preview, loy_campaign_preview_flags, NULL,
     "a message's subject, text and HTML with a member's data (--trigger, --member, --lang)", 2},
    {"campaign create", loy_cmd_campaign_create, loy_campaign_create_flags, "NAME",
     "a campaign draft: template, A/B variants (--variant ID:TEMPLATE[:OFFER]), holdout, "
     "audience",
     2},
    {"campaign send", loy_cmd_campaign_send, NULL, "ID",
     "assign the audience to arms and queue one message per member outside the holdout", 2},
    {"campaign list", loy_cmd_campaign_list, loy_campaign_list_flags, NULL,
     "campaigns, newest first, with status and members", 2},
    {"campaign results", loy_cmd_campaign_results, NULL, "ID",
     "conversions per arm, rates with 95% intervals, uplift against the holdout, the verdict", 2},
    {"openapi", loy_cmd_openapi, NULL, NULL, "print the OpenAPI description of the HTTP API", 0},
    {NULL, NULL, NULL, NULL, NULL, 0}};
