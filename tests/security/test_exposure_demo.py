"""#8: `metrology demo` makes seven accounts with a published password; only a demo site takes them."""

from __future__ import annotations

import json

PEOPLE = "from metrology.accounts.models import Person; print(sorted(Person.objects.values_list('username', flat=True)))"


def test_demo_is_refused_on_a_site_not_created_as_a_demo(cli_sites):
    cli_sites.new_site("institute")
    refused = cli_sites.run("demo", "--quiet", check=False)
    assert refused.returncode != 0
    assert "不是示范站点" in refused.stderr and "--force" in refused.stderr
    assert cli_sites.run("shell", "-c", PEOPLE).stdout.strip().splitlines()[-1] == "['admin']"
    cli_sites.run("demo", "--quiet", "--force")
    assert "zhangsan" in cli_sites.run("shell", "-c", PEOPLE).stdout


def test_a_site_created_as_a_demo_takes_the_demo_people(cli_sites):
    cli_sites.new_site("showcase", "--demo")
    config = json.loads((cli_sites.root / "showcase" / "site_config.json").read_text())
    assert config["demo"] is True
    listed = cli_sites.run("demo")
    assert "zhangsan" in listed.stdout and "张三" in listed.stdout
