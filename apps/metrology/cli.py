"""`metrology`: the platform's command line, after Frappe's bench.

Our own commands come first; any other command is handed to Django's management commands with
the chosen site's settings, so `metrology --site demo createsuperuser`-style calls work too.
"""

from __future__ import annotations

import argparse
import os
import sys

from metrology.core.sites import JOB_BACKENDS, SiteError, current_site_name, load_site

DESCRIPTION = """\
计量检测数据与证书平台 / Metrology data and certificate platform.

站点 (site) = 一个机构的配置、数据库与文件，位于 sites/<名称>/。
A site holds one institute's config, database and files under sites/<name>/.
其他命令将转交 Django 管理命令 / any other command is passed to Django's management commands
(例如 / e.g. `metrology --site demo check`)."""

FILE_COMMANDS = ("formula", "compute", "render")  # no Django for a procedure file (issue 7)
OWN_COMMANDS = ("new-site", "serve", "worker", "migrate", "demo", "audit", "use", "formula", "compute", "procedure", "render")


def _base_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = argparse.ArgumentParser(
        prog="metrology", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", help="使用的站点 / the site to use (default: METROLOGY_SITE or sites/currentsite)")
    return parser, parser.add_subparsers(dest="command", metavar="COMMAND")


def _file_commands_parser() -> argparse.ArgumentParser:
    """Only `formula`, `compute` and `render`: building every command's parser would take longer
    than computing a record (issue 7)."""
    from metrology.doctype.commands import add_file_parsers
    from metrology.print_formats.commands import add_parser as add_render_parser

    parser, commands = _base_parser()
    add_file_parsers(commands)
    add_render_parser(commands)
    return parser


def _parser() -> argparse.ArgumentParser:
    parser, commands = _base_parser()

    new_site = commands.add_parser("new-site", help="创建并初始化站点 / create, migrate and set up a site")
    new_site.add_argument("name", help="站点名 / site name (lower-case letters, digits, . _ -)")
    new_site.add_argument("--db", default=None,
                          help="数据库 URL / database URL, e.g. mysql://user:password@127.0.0.1/metrology (default: SQLite)")
    new_site.add_argument("--jobs", choices=JOB_BACKENDS, default="database",
                          help="后台任务 / job backend: database (embedded) or rq (Redis)")
    new_site.add_argument("--redis-url", default=None, help="Redis URL for --jobs rq")
    new_site.add_argument("--institute", default="", help="机构名称 / institute name printed on documents")
    new_site.add_argument("--admin-username", default="admin", help="首位管理员账号 / first administrator's account")
    new_site.add_argument("--admin-name", default="系统管理员", help="首位管理员姓名 / their name")
    new_site.add_argument("--admin-password", default=None,
                          help="管理员密码 / their password (asked for, or generated and printed, if omitted)")
    new_site.add_argument("--no-current", action="store_true", help="不设为当前站点 / do not make it the current site")
    new_site.add_argument("--demo", action="store_true",
                          help="示范站点：允许 metrology demo 载入公开密码的示范账号 / a demo site, where "
                               "`metrology demo` may load the demo accounts (their password is published)")

    serve = commands.add_parser("serve", help="启动 Web 服务 / run the web server (and a job worker)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--prod", action="store_true", help="用 gunicorn 运行 / run under gunicorn")
    serve.add_argument("--workers", type=int, default=2, help="gunicorn 进程数 / gunicorn workers (--prod)")
    serve.add_argument("--no-worker", action="store_true", help="不启动后台任务进程 / do not start a job worker")
    serve.add_argument("--reload", action="store_true", help="代码变更时自动重启 / restart on code changes")

    worker = commands.add_parser("worker", help="运行后台任务 / run background jobs for the site")
    worker.add_argument("--burst", action="store_true", help="处理完队列即退出 / exit when the queue is empty")

    commands.add_parser("migrate", help="迁移数据库 / apply database migrations", add_help=False)

    demo = commands.add_parser("demo", help="载入示范机构数据 / load the demo institute (people, roles, …)")
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--force", action="store_true",
                      help="在非示范站点上也载入 / load even on a site not created with new-site --demo")

    audit = commands.add_parser("audit", help="审计日志 / audit log tools")
    audit_commands = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    audit_commands.add_parser("verify", help="校验哈希链 / verify the hash chain, naming the first broken row")
    audit_commands.add_parser("checkpoint", help="打印当前链头 / print the chain head, to write down or send elsewhere")

    use = commands.add_parser("use", help="设为当前站点 / make a site the current one")
    use.add_argument("name")

    from metrology.doctype.commands import add_parsers
    from metrology.print_formats.commands import add_parser as add_render_parser

    add_parsers(commands)
    add_render_parser(commands)
    return parser


def _setup_django(site: str | None) -> None:
    if site:
        os.environ["METROLOGY_SITE"] = site
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metrology.settings")
    try:
        load_site()
    except SiteError as exc:
        raise SystemExit(f"metrology: {exc}") from exc
    import django

    django.setup()


def _use_site_language(site: str | None) -> None:
    """Commands on a file need neither a site nor Django (issue 7): they only speak the site's
    language, or Chinese without a site, from the same catalogue (metrology.core.plain_gettext)."""
    from metrology.core.plain_gettext import use_language

    try:
        language = load_site(site).setting("language", None)
    except SiteError:
        language = None
    use_language(language)


def _django(argv: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["metrology", *argv])
    return 0


def _cmd_new_site(args: argparse.Namespace) -> int:
    from metrology.site_setup import new_site

    return new_site(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    _setup_django(args.site)
    from django.core.management import call_command

    from metrology.core.serving import serve

    call_command("migrate", interactive=False, verbosity=0)
    if args.prod:
        call_command("collectstatic", interactive=False, verbosity=0)
    return serve(site=current_site_name() or "", prod=args.prod, host=args.host, port=args.port,
                 workers=args.workers, reload=args.reload, with_worker=not args.no_worker)


def _cmd_worker(args: argparse.Namespace) -> int:
    _setup_django(args.site)
    from django.conf import settings

    from metrology.certificates.downloads import download_batches_resume
    from metrology.certificates.resume import issuance_resume
    from metrology.reports.exports import report_exports_resume

    resumed, batches, exports = issuance_resume(), download_batches_resume(), report_exports_resume()
    if resumed or batches or exports:
        print(f"metrology: 重新排队签发 {resumed} 份证书、{batches} 个批量下载、{exports} 个报表导出 / queued "
              f"{resumed} certificate(s), {batches} download(s) and {exports} report export(s) again",
              file=sys.stderr)
    if settings.SITE.job_backend == "rq":
        argv = ["rqworker", "default", "--job-class", "django_tasks_rq.Job"]
        return _django(argv + (["--burst"] if args.burst else []))
    return _django(["db_worker", "--queue-name", "*"] + (["--batch"] if args.burst else []))


def _cmd_demo(args: argparse.Namespace) -> int:
    _setup_django(args.site)
    from django.conf import settings

    from metrology.demo import NotADemoSite, demo_site_ensure, load_demo, print_accounts, print_procedures

    try:
        demo_site_ensure(settings.SITE, force=args.force)
    except (NotADemoSite, SiteError) as exc:
        raise SystemExit(f"metrology: {exc}") from exc
    load_demo()
    if not args.quiet:
        print_procedures()
        print_accounts()
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    _setup_django(args.site)
    from metrology.core.audit import audit_chain_verify, audit_checkpoint

    if args.audit_command == "checkpoint":
        head = audit_checkpoint()
        print(f"position={head.last_position} row={head.last_id} hash={head.last_hash}")
        return 0
    report = audit_chain_verify()
    if report.ok:
        print(f"审计日志完整 / audit chain intact: {report.checked} rows checked")
        return 0
    first = report.first_break
    print(f"审计日志已被篡改 / audit chain broken at {first.where}: {first.problem}", file=sys.stderr)
    for extra in report.breaks[1:6]:
        print(f"  also {extra.where}: {extra.problem}", file=sys.stderr)
    return 1


def _cmd_formula(args: argparse.Namespace) -> int:
    from metrology.doctype.commands import cmd_formula

    _use_site_language(args.site)
    return cmd_formula(args)


def _stored_version(label: str):
    from metrology.doctype.selectors import version_by_label

    return version_by_label(label)


def _setup_for_procedure(args: argparse.Namespace) -> None:
    """A procedure file needs no site and no Django; a stored CODE@N needs both."""
    from metrology.doctype.commands import procedure_is_file

    if procedure_is_file(args.procedure):
        _use_site_language(args.site)
    else:
        _setup_django(args.site)


def _cmd_compute(args: argparse.Namespace) -> int:
    from metrology.doctype.commands import cmd_compute

    _setup_for_procedure(args)
    return cmd_compute(args, stored_version=_stored_version)


def _cmd_render(args: argparse.Namespace) -> int:
    from metrology.print_formats.commands import cmd_render

    _setup_for_procedure(args)
    return cmd_render(args, stored_version=_stored_version)


def _cmd_procedure(args: argparse.Namespace) -> int:
    from metrology.doctype.commands import cmd_procedure

    _setup_django(args.site)
    return cmd_procedure(args)


def _cmd_use(args: argparse.Namespace) -> int:
    from metrology.core.sites import CURRENT_SITE_FILE, sites_dir

    try:
        load_site(args.name)
    except SiteError as exc:
        raise SystemExit(f"metrology: {exc}") from exc
    (sites_dir() / CURRENT_SITE_FILE).write_text(args.name + "\n", encoding="utf-8")
    print(f"current site: {args.name}")
    return 0


def _split_site(argv: list[str]) -> tuple[str | None, list[str]]:
    """Take a leading `--site NAME` / `--site=NAME` off the arguments."""
    if argv[:1] == ["--site"] and len(argv) > 1:
        return argv[1], argv[2:]
    if argv and argv[0].startswith("--site="):
        return argv[0].split("=", 1)[1], argv[1:]
    return None, argv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    site, rest = _split_site(argv)
    if rest and not rest[0].startswith("-") and rest[0] not in OWN_COMMANDS:
        _setup_django(site)
        return _django(rest)
    if rest[:1] == ["migrate"]:
        _setup_django(site)
        return _django(rest)
    args = (_file_commands_parser() if rest[:1] and rest[0] in FILE_COMMANDS else _parser()).parse_args(argv)
    handlers = {
        "new-site": _cmd_new_site, "serve": _cmd_serve, "worker": _cmd_worker,
        "demo": _cmd_demo, "audit": _cmd_audit, "use": _cmd_use,
        "formula": _cmd_formula, "compute": _cmd_compute, "procedure": _cmd_procedure, "render": _cmd_render,
    }
    if args.command is None:
        _parser().print_help()
        return 0
    return handlers[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
