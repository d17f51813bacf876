# Turns the forward-only migration files of one directory into a C array (name, sql) in order.
# EXT (optional, default sql): embed the *.EXT files instead (data/triage/*.tsv lexicons,
# data/templates/*.tmpl message templates); the text is then in the `sql` member all the same.
if(NOT EXT)
  set(EXT sql)
endif()
file(GLOB files ${DIR}/*.${EXT})
list(SORT files)
set(body "/* Generated from ${DIR}; do not edit. */\n#include <stddef.h>\n")
string(APPEND body "const struct { const char *name; const char *sql; } ${NAME}[] = {\n")
foreach(f ${files})
  get_filename_component(base ${f} NAME)
  file(READ ${f} text)
  string(REPLACE "\\" "\\\\" text "${text}")
  string(REPLACE "\"" "\\\"" text "${text}")
  string(REPLACE "?" "\\?" text "${text}") # no trigraphs under -std=c11
  string(REPLACE "\r" "\\r" text "${text}")
  string(REPLACE "\n" "\\n\"\n\"" text "${text}")
  string(APPEND body "    {\"${base}\", \"${text}\"},\n")
endforeach()
string(APPEND body "    {NULL, NULL}};\n")
file(WRITE ${OUT} "${body}")
