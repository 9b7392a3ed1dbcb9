#!/usr/bin/env bash
# The PostgreSQL drill of docs/DEPLOYMENT.md on a throwaway cluster under $DRILL (default /tmp/pgdemo):
# a primary with WAL archiving, a streaming replica made by pg_basebackup -R, an EMsync server writing
# through the primary and read back on the replica, an `emsync-server backup`, the replica promoted,
# and a point-in-time restore of a base backup to a moment before a mistake. Never touches any other
# cluster: its own ports (5544 primary, 5545 replica, 5546 restored, 5547 from emsync-server restore).
# Run as root (it uses `su postgres` for the database commands) from the repository root:
#   bash docs/pg_drill.sh 2>&1 | tee drill.log
set -euo pipefail
DRILL=${DRILL:-/tmp/pgdemo}
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PY=${PY:-.venv/bin/python}
WAL=$DRILL/wal

pg() { echo "\$ $*" >&2; su postgres -c "$*"; }
sql() { echo "\$ psql -p $1 -d $2 -c \"$3\"" >&2; su postgres -c "$BIN/psql -X -h 127.0.0.1 -p $1 -d $2 -Atc \"$3\""; }
say() { echo; echo "## $*"; }

say "1. primary on 5544: wal_level=replica, archive to $WAL"
mkdir -p "$DRILL" "$WAL" && chown postgres "$DRILL" "$WAL"
pg "$BIN/initdb -D $DRILL/primary -U postgres --auth=trust >/dev/null"
cat >> "$DRILL/primary/postgresql.conf" <<EOF
port = 5544
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DRILL'
wal_level = replica
max_wal_senders = 5
archive_mode = on
archive_command = 'test ! -f $WAL/%f && cp %p $WAL/%f'
EOF
pg "$BIN/pg_ctl -D $DRILL/primary -l $DRILL/primary.log -w start"
sql 5544 postgres "CREATE DATABASE emsync"

say "2. an EMsync server (demo network) writes through the primary"
mkdir -p "$DRILL/server"
DB=postgresql://postgres@127.0.0.1:5544/emsync
echo "\$ $PY -m sync_server migrate --db $DB"
$PY -m sync_server migrate --db "$DB"
echo "\$ $PY -m sync_server --data-dir $DRILL/server --db $DB --demo --port 18765 &"
$PY -m sync_server --data-dir "$DRILL/server" --db "$DB" --demo --port 18765 >"$DRILL/server.log" 2>&1 &
SERVER=$!
$PY docs/pg_drill_writes.py http://127.0.0.1:18765 "$DRILL/server" 5
kill "$SERVER"; wait "$SERVER" || true
sql 5544 emsync "SELECT count(*) AS bookings FROM bookings"

say "3. streaming replica on 5545 from pg_basebackup -R"
pg "$BIN/pg_basebackup -h 127.0.0.1 -p 5544 -D $DRILL/replica -R -X stream -c fast"
pg "echo 'port = 5545' >> $DRILL/replica/postgresql.auto.conf"
pg "$BIN/pg_ctl -D $DRILL/replica -l $DRILL/replica.log -w start"
sql 5545 postgres "SELECT pg_is_in_recovery()"
sql 5544 postgres "SELECT application_name, state, sync_state FROM pg_stat_replication"

say "4. write on the primary, read on the replica"
sql 5544 emsync "CREATE TABLE drill(n int, at timestamptz default now()); INSERT INTO drill(n) VALUES (1)"
sleep 1
sql 5545 emsync "SELECT n FROM drill"
sql 5545 emsync "SELECT count(*) AS bookings FROM bookings"
sql 5545 emsync "INSERT INTO drill(n) VALUES (99)" || echo "(refused, as it must be: the replica is read-only)"

say "5. emsync-server backup (pg_dump + the data dir's keys) while the primary runs"
echo "\$ $PY -m sync_server backup --data-dir $DRILL/server --db $DB --to $DRILL/emsync-backup"
PATH=$BIN:$PATH $PY -m sync_server backup --data-dir "$DRILL/server" --db "$DB" --to "$DRILL/emsync-backup"
ls -l "$DRILL/emsync-backup"

say "6. base backup for point-in-time recovery, then good rows, the moment T, and a mistake"
pg "$BIN/pg_basebackup -h 127.0.0.1 -p 5544 -D $DRILL/base -X stream -c fast"
sql 5544 emsync "INSERT INTO drill(n) SELECT generate_series(2, 10)"
sleep 1
T=$(su postgres -c "$BIN/psql -X -h 127.0.0.1 -p 5544 -d emsync -Atc 'SELECT now()'")
echo "T = $T"
sleep 1
sql 5544 emsync "DELETE FROM drill; DELETE FROM bookings"
sql 5544 emsync "SELECT count(*) FROM drill"
sql 5544 postgres "SELECT pg_switch_wal()"
sleep 2
ls "$WAL" | tail -3

say "7. promote the replica (as if the primary host were lost)"
pg "$BIN/pg_ctl -D $DRILL/replica -w promote"
sql 5545 postgres "SELECT pg_is_in_recovery()"
sql 5545 emsync "INSERT INTO drill(n) VALUES (100); SELECT count(*) FROM drill"

say "8. point-in-time restore of the base backup to T (before the mistake) on 5546"
pg "cp -a $DRILL/base $DRILL/pitr"
cat >> "$DRILL/pitr/postgresql.auto.conf" <<EOF
port = 5546
archive_mode = off
restore_command = 'cp $WAL/%f %p'
recovery_target_time = '$T'
recovery_target_action = 'promote'
EOF
pg "touch $DRILL/pitr/recovery.signal"
pg "$BIN/pg_ctl -D $DRILL/pitr -l $DRILL/pitr.log -w -t 120 start"
sleep 2
sql 5546 postgres "SELECT pg_is_in_recovery()"
sql 5546 emsync "SELECT count(*), min(n), max(n) FROM drill"
sql 5546 emsync "SELECT count(*) AS bookings FROM bookings"
grep -E "recovery stopping|starting point-in-time|archive recovery complete" "$DRILL/pitr.log" || true

say "9. emsync-server restore of step 5's backup into a new, empty cluster on 5547"
pg "$BIN/initdb -D $DRILL/fresh -U postgres --auth=trust >/dev/null"
pg "echo \"port = 5547
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DRILL'\" >> $DRILL/fresh/postgresql.conf"
pg "$BIN/pg_ctl -D $DRILL/fresh -l $DRILL/fresh.log -w start"
sql 5547 postgres "CREATE DATABASE emsync"
echo "\$ $PY -m sync_server restore --from $DRILL/emsync-backup --data-dir $DRILL/restored --db ${DB/5544/5547}"
PATH=$BIN:$PATH $PY -m sync_server restore --from "$DRILL/emsync-backup" --data-dir "$DRILL/restored" \
    --db "${DB/5544/5547}"
sql 5547 emsync "SELECT count(*) AS bookings FROM bookings"

say "10. stop the drill's clusters"
for c in pitr replica primary fresh; do pg "$BIN/pg_ctl -D $DRILL/$c -w stop -m fast"; done
