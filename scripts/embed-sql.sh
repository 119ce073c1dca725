#!/bin/sh
# Turns sql/NNN_name.sql files into a C array of migrations (build/gen/migrations.c).
set -eu
echo '/* Generated from sql/ by scripts/embed-sql.sh. */'
echo '#include "migrations.h"'
echo 'const migration migrations[] = {'
for f in "$@"; do
    base=$(basename "$f" .sql)
    version=$(echo "$base" | sed 's/^0*\([0-9][0-9]*\)_.*/\1/')
    printf '    {%s, "%s",\n' "$version" "$base"
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/     "/' -e 's/$/\\n"/' "$f"
    echo '    },'
done
echo '};'
echo 'const size_t migration_count = sizeof migrations / sizeof migrations[0];'
