#!/usr/bin/env bash
# Starts MariaDB and Redis on localhost when they are installed but not running (tests need both),
# and gives the tests an account of their own: it may use only the test databases (metro…,
# test_metro…), never root. Its password only guards test data; override it with
# METROLOGY_TEST_DB_PASSWORD (and the URL in scripts/run-tests.sh) if the machine is shared.
set -uo pipefail
test_user="${METROLOGY_TEST_DB_USER:-metrology_test}"
test_password="${METROLOGY_TEST_DB_PASSWORD:-metrology-test-only}"

# Administration goes through the server's unix socket as the system's root (Debian lets root in
# there without a password); nothing here opens root to TCP connections.
as_db_root() {
  if [ "$(id -u)" -eq 0 ]; then mysql -uroot "$@"; else sudo -n mysql -uroot "$@"; fi
}
as_test_user() { mysql -u"$test_user" -p"$test_password" --host=127.0.0.1 "$@"; }

# `ping` says "alive" even when the account is refused: it needs no account of its own.
if ! mysqladmin --host=127.0.0.1 ping >/dev/null 2>&1; then
  echo "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1 \
    || (service mariadb start >/dev/null 2>&1)
  for _ in $(seq 60); do mysqladmin --host=127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi

if ! as_test_user -e "SELECT 1" >/dev/null 2>&1; then
  echo "creating the MariaDB test account $test_user"
  as_db_root <<SQL || { echo "cannot create the MariaDB test account (run as root)" >&2; exit 1; }
CREATE USER IF NOT EXISTS '$test_user'@'localhost' IDENTIFIED BY '$test_password';
CREATE USER IF NOT EXISTS '$test_user'@'127.0.0.1' IDENTIFIED BY '$test_password';
ALTER USER '$test_user'@'localhost' IDENTIFIED BY '$test_password';
ALTER USER '$test_user'@'127.0.0.1' IDENTIFIED BY '$test_password';
GRANT ALL PRIVILEGES ON \`metro%\`.* TO '$test_user'@'localhost', '$test_user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`test\\_metro%\`.* TO '$test_user'@'localhost', '$test_user'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
fi

# Django's date lookups with USE_TZ use CONVERT_TZ, which needs MariaDB's time-zone tables.
if [ "$(as_test_user -N -e "SELECT CONVERT_TZ('2020-01-01','UTC','Asia/Shanghai') IS NULL" 2>/dev/null)" = "1" ]; then
  echo "loading MariaDB time zone tables"
  mysql_tzinfo_to_sql /usr/share/zoneinfo 2>/dev/null | as_db_root mysql
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi

as_test_user -e "SELECT 1" >/dev/null 2>&1 || { echo "MariaDB is not reachable on 127.0.0.1:3306 as $test_user" >&2; exit 1; }
redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
