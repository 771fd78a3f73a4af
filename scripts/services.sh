#!/usr/bin/env bash
# Starts MariaDB and Redis on localhost when they are installed but not running (tests need both).
set -uo pipefail

if ! mysqladmin -uroot --host=127.0.0.1 ping >/dev/null 2>&1; then
  echo "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql >/dev/null 2>&1 \
    || (service mariadb start >/dev/null 2>&1)
  for _ in $(seq 60); do mysqladmin -uroot --host=127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi
# A fresh Debian MariaDB lets root in through the socket only; the tests connect over TCP.
mysql -uroot --host=127.0.0.1 -e "SELECT 1" >/dev/null 2>&1 || \
  mysql -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" 2>/dev/null

# Django's date lookups with USE_TZ use CONVERT_TZ, which needs MariaDB's time-zone tables.
if [ "$(mysql -uroot --host=127.0.0.1 -N -e "SELECT CONVERT_TZ('2020-01-01','UTC','Asia/Shanghai') IS NULL" 2>/dev/null)" = "1" ]; then
  echo "loading MariaDB time zone tables"
  mysql_tzinfo_to_sql /usr/share/zoneinfo 2>/dev/null | mysql -uroot --host=127.0.0.1 mysql
fi

if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done
fi

mysqladmin -uroot --host=127.0.0.1 ping >/dev/null 2>&1 || { echo "MariaDB is not reachable on 127.0.0.1:3306" >&2; exit 1; }
redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || { echo "Redis is not reachable on 127.0.0.1:6379" >&2; exit 1; }
