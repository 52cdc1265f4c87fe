"""Real wikis (Debian's DokuWiki and MediaWiki, served by Debian's Apache with mod_php) and ``qa serve`` for them.

Nothing of the system install is changed: each wiki's configuration and
data live in a temporary folder, and an Apache of the test's own, with a
configuration file of its own, serves the package's code with the
package's Apache snippet on two free ports of 127.0.0.1. The first is the
wiki's address, allowed to frame the widget; the second is an origin that
is not. Each wiki has a ``qa serve`` of its own, started with its first
address in ``allowed_origins``. ``make test-wiki`` installs the packages.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from qa.config import Settings
from qa.engine import Engine

from ..conftest import answers, free_port, server_process

APACHE = Path("/usr/sbin/apache2")
MODULES = Path("/usr/lib/apache2/modules")
# What the wikis' Apache snippets and mod_php need; Debian's apache2-bin builds these as modules.
APACHE_MODULES = ("mpm_prefork", "authz_core", "authz_host", "access_compat", "alias", "mime", "dir", "env")
# Apache serves as www-data when the tests run as root (it refuses to serve as root).
SERVER_USER = "www-data" if os.geteuid() == 0 else None
STARTUP_SECONDS = 180  # qa serve on two shared cores

DOKUWIKI = Path("/usr/share/dokuwiki")
DOKUWIKI_CONF = Path("/etc/dokuwiki")  # the package's configuration: read, copied, never written
# The wiki's data folders (DokuWiki's init_paths() refuses to start without each of them).
DATA_DIRS = ("pages", "attic", "media", "media_attic", "meta", "media_meta", "cache", "index", "locks", "tmp", "log")

MEDIAWIKI = Path("/usr/share/mediawiki")
MEDIAWIKI_APACHE_CONF = Path("/etc/apache2/conf-available/mediawiki.conf")  # Alias /mediawiki /var/lib/mediawiki
MEDIAWIKI_EDITOR = "Editor"  # the account install.php creates (an administrator), who edits the pages


@dataclass(frozen=True)
class Wiki:
    """A running wiki: its address, and a second address for the same wiki (an origin not allowed)."""

    origin: str
    other_origin: str

    def url(self, name: str, origin: str | None = None) -> str:
        raise NotImplementedError

    def write_page(self, name: str, text: str) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class DokuWiki(Wiki):
    pages: Path

    def write_page(self, name: str, text: str) -> None:
        """Save a page as the wiki's editor would (data/pages/NAME.txt)."""
        path = self.pages / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        if SERVER_USER:
            shutil.chown(path, SERVER_USER, SERVER_USER)

    def url(self, name: str, origin: str | None = None) -> str:
        return f"{origin or self.origin}/dokuwiki/doku.php?id={name}"


@dataclass(frozen=True)
class MediaWiki(Wiki):
    settings: Path  # the wiki's LocalSettings.php

    def write_page(self, name: str, text: str) -> None:
        """Save a page as its editor would, with MediaWiki's maintenance/edit.php: a revision like any other."""
        maintenance(self.settings, "edit.php", "--user", MEDIAWIKI_EDITOR, "-s", "Ask the articles", name, input=text)

    def url(self, name: str, origin: str | None = None) -> str:
        return f"{origin or self.origin}/mediawiki/index.php?title={name}"


def own_for_server(root: Path) -> None:
    """Hand ``root`` and all in it to the user Apache serves as (when the tests run as root)."""
    if SERVER_USER:
        for path in [root, *root.rglob("*")]:
            shutil.chown(path, SERVER_USER, SERVER_USER)


def apache_config(root: Path, ports: tuple[int, int], site: list[str]) -> Path:
    """Apache's configuration: Debian's mod_php and the wiki's ``site`` lines, on ``ports`` of 127.0.0.1 only."""
    php = sorted(Path("/etc/apache2/mods-available").glob("php*.load"))
    if not php:
        raise FileNotFoundError("mod_php is not installed (no /etc/apache2/mods-available/php*.load): run make test-wiki")
    lines = [
        f"ServerRoot {root}",
        f"DefaultRuntimeDir {root}",
        f"PidFile {root}/apache2.pid",
        "ErrorLog /dev/stderr",
        "ServerName 127.0.0.1",
        *(f"Listen 127.0.0.1:{p}" for p in ports),
        *(f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in APACHE_MODULES),
        f"Include {php[0]}",
        f"Include {php[0].with_suffix('.conf')}",
        "TypesConfig /etc/mime.types",
        f"DocumentRoot {root}/htdocs",
        f"php_value session.save_path {root}/sessions",
        *site,
    ]
    if SERVER_USER:
        lines += [f"User {SERVER_USER}", f"Group {SERVER_USER}"]
    (root / "htdocs").mkdir()
    (root / "sessions").mkdir()
    path = root / "apache2.conf"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@contextlib.contextmanager
def apache(root: Path, ports: tuple[int, int], site: list[str], path: str, what: str, log: Path) -> Iterator[None]:
    """Serve ``site`` with an Apache of its own on ``ports`` until the block ends; ready once both answer ``path``."""
    config = apache_config(root, ports, site)
    own_for_server(root)
    cmd = [str(APACHE), "-f", str(config), "-DFOREGROUND"]
    ready = lambda: all(answers(f"http://127.0.0.1:{p}{path}") for p in ports)  # noqa: E731
    # Apache, stopping, signals its whole process group: that must not be pytest's.
    with server_process(cmd, log, ready, f"apache2 serving {what}", 120, own_group=True):
        yield


def needs(*paths: Path) -> None:
    for needed in (APACHE, *paths):
        if not needed.exists():
            raise FileNotFoundError(f"{needed} is not there: make test-wiki installs the wikis, Apache and mod_php")


# -- DokuWiki ---------------------------------------------------------------------------------------


def dokuwiki_config(root: Path) -> Path:
    """Write the wiki's configuration and empty data folders under ``root``; return the conf folder.

    This is what a wiki admin does: Debian's defaults, a local.php allowing
    raw HTML in pages (``htmlok``) for the <iframe>, read access for everyone.
    """
    conf, data = root / "conf", root / "data"
    conf.mkdir()
    for f in DOKUWIKI_CONF.iterdir():
        # acl.auth.php and users.auth.php link into /var/lib/dokuwiki; this wiki has its own.
        if f.is_file() and not f.is_symlink() and f.name != "local.php":
            shutil.copy(f, conf / f.name)
    (conf / "local.php").write_text(
        "<?php\n"
        "$conf['title'] = 'Team wiki';\n"
        f"$conf['savedir'] = '{data}';\n"
        "$conf['htmlok'] = 1;  // raw HTML in <html>...</html>: the widget's <iframe>\n"
        "$conf['useacl'] = 1;\n"
        "$conf['superuser'] = '@admin';\n",
        encoding="utf-8",
    )
    (conf / "acl.auth.php").write_text("# acl.auth.php\n# <?php exit()?>\n*\t@ALL\t1\n", encoding="utf-8")
    (conf / "users.auth.php").write_text("# users.auth.php\n# <?php exit()?>\n", encoding="utf-8")
    # Debian's inc/preload.php picks the configuration folder unless DOKU_CONF is defined first.
    (conf / "preload.php").write_text(f"<?php\ndefine('DOKU_CONF', '{conf}/');\n", encoding="utf-8")
    for name in DATA_DIRS:
        (data / name).mkdir(parents=True)
    return conf


@pytest.fixture(scope="session")
def dokuwiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DokuWiki]:
    """Debian's DokuWiki, configured in a temporary folder and served by Apache on two free ports."""
    needs(DOKUWIKI, DOKUWIKI_CONF / "apache.conf")
    # Not under pytest's temporary folder: that is private to this user, and Apache serves as www-data.
    root = Path(tempfile.mkdtemp(prefix="qa-wiki-"))
    try:
        conf = dokuwiki_config(root)
        ports = (free_port(), free_port())
        site = [
            "DirectoryIndex doku.php index.php",
            f"Include {DOKUWIKI_CONF}/apache.conf",
            f"php_value auto_prepend_file {conf}/preload.php",
        ]
        log = tmp_path_factory.mktemp("dokuwiki") / "apache.log"
        with apache(root, ports, site, "/dokuwiki/doku.php", "DokuWiki", log):
            yield DokuWiki(f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}", root / "data" / "pages")
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- MediaWiki --------------------------------------------------------------------------------------


def maintenance(settings: Path | None, script: str, *args: str, input: str | None = None) -> str:
    """Run one of MediaWiki's maintenance scripts, as the web server's user, for the wiki of ``settings``.

    ``MW_CONFIG_FILE`` is MediaWiki's own way (1.38+) to read a
    LocalSettings.php other than the one in its install folder
    (/etc/mediawiki/LocalSettings.php on Debian), both for the web server
    and for these scripts. Returns the script's output; fails the test on an error.
    """
    env = {k: v for k, v in os.environ.items() if k != "MW_CONFIG_FILE"}
    if settings is not None:
        env["MW_CONFIG_FILE"] = str(settings)
    cmd = ["php", str(MEDIAWIKI / "maintenance" / script), *args]
    done = subprocess.run(
        cmd, input=input, capture_output=True, text=True, env=env, cwd=MEDIAWIKI, user=SERVER_USER, group=SERVER_USER,
        timeout=300,
    )
    if done.returncode != 0:
        pytest.fail(f"{script} exited with {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done.stdout


def install_mediawiki(root: Path, origin: str) -> Path:
    """Install a wiki on SQLite under ``root`` as its admin would, with install.php; return its LocalSettings.php.

    Then what the admin adds for the widget: raw HTML in pages
    (``$wgRawHtml``) for the <iframe>, and editing for accounts only.
    """
    data = root / "data"
    for folder in (data, root / "cache", root / "log"):
        folder.mkdir()
    own_for_server(root)
    maintenance(
        None, "install.php",
        "--dbtype", "sqlite", "--dbpath", str(data), "--dbname", "teamwiki",
        "--confpath", str(root),  # not /etc/mediawiki
        "--server", origin, "--scriptpath", "/mediawiki",
        "--lang", "en", "--skins", "Vector",
        "--pass", secrets.token_urlsafe(16),
        "Team wiki", MEDIAWIKI_EDITOR,
    )  # fmt: skip
    settings = root / "LocalSettings.php"
    with settings.open("a", encoding="utf-8") as f:
        f.write(
            "\n# The qa widget's <iframe>: raw HTML in <html>...</html>. Anyone who may edit pages\n"
            "# can then put any HTML in them: only accounts may edit, and only the admin makes them.\n"
            "$wgRawHtml = true;\n"
            "$wgGroupPermissions['*']['edit'] = false;\n"
            "$wgGroupPermissions['*']['createaccount'] = false;\n"
            "# The tests serve this wiki at two addresses: its links stay on the one asked.\n"
            "$wgServer = WebRequest::detectServer();\n"
            "# Caches and logs here, not in Debian's /var/cache/mediawiki and /var/log/mediawiki.\n"
            f"$wgCacheDirectory = '{root}/cache';\n"
            f"$wgDBerrorLog = '{root}/log/dberror.log';\n"
            "foreach ( [ 'exception', 'error', 'fatal' ] as $group ) {\n"
            f"\t$wgDebugLogGroups[$group] = \"{root}/log/$group.log\";\n"
            "}\n"
            "# The MediaWiki flower rather than the installer's placeholder logo.\n"
            "$wgLogos = [ '1x' => \"$wgResourceBasePath/resources/assets/mediawiki.png\" ];\n"
        )
    return settings


@pytest.fixture(scope="session")
def mediawiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MediaWiki]:
    """Debian's MediaWiki, installed on SQLite in a temporary folder and served by Apache on two free ports.

    Apache serves it as Debian's /etc/apache2/conf-available/mediawiki.conf
    does (``/mediawiki``, from /var/lib/mediawiki), with ``MW_CONFIG_FILE``
    pointing at the temporary folder's LocalSettings.php.
    """
    needs(MEDIAWIKI / "maintenance" / "install.php", MEDIAWIKI_APACHE_CONF)
    # Not under pytest's temporary folder: that is private to this user, and Apache serves as www-data.
    root = Path(tempfile.mkdtemp(prefix="qa-mediawiki-"))
    try:
        ports = (free_port(), free_port())
        origin, other = f"http://127.0.0.1:{ports[0]}", f"http://127.0.0.1:{ports[1]}"
        settings = install_mediawiki(root, origin)
        site = [
            "DirectoryIndex index.php",
            f"Include {MEDIAWIKI_APACHE_CONF}",
            f"SetEnv MW_CONFIG_FILE {settings}",
        ]
        log = tmp_path_factory.mktemp("mediawiki") / "apache.log"
        with apache(root, ports, site, "/mediawiki/index.php?title=Main_Page", "MediaWiki", log):
            yield MediaWiki(origin, other, settings)
    finally:
        shutil.rmtree(root, ignore_errors=True)


# -- qa serve, as deployed for a wiki -------------------------------------------------------------


@contextlib.contextmanager
def qa_serve(wiki: Wiki, settings: Settings, tmp: Path) -> Iterator[tuple[str, str]]:
    """``qa serve`` over the session index, as deployed for ``wiki``: a token, and the wiki in allowed_origins.

    Yields (base URL, token).
    """
    token = secrets.token_urlsafe(16)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("QA_")}
    env |= {"QA_ALLOWED_ORIGINS": wiki.origin, "QA_API_TOKEN": token, "QA_FEEDBACK_FILE": str(tmp / "feedback.jsonl")}
    cmd = [
        sys.executable, "-m", "qa.cli", "serve",
        "--corpus", str(settings.corpus),
        "--index-dir", str(settings.index_dir),  # built by the engine fixture: nothing to index
        "--host", "127.0.0.1",
        "--port", str(port),
    ]  # fmt: skip
    log = tmp / "qa-serve.log"
    ready = lambda: "Ready for questions." in log.read_text(errors="replace")  # noqa: E731
    with server_process(cmd, log, ready, "qa serve", STARTUP_SECONDS, env):
        yield f"http://127.0.0.1:{port}", token


@pytest.fixture(scope="session")
def dokuwiki_widget_server(
    engine: Engine, settings: Settings, dokuwiki: DokuWiki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """``qa serve`` for the DokuWiki; yields (base URL, token)."""
    with qa_serve(dokuwiki, settings, tmp_path_factory.mktemp("qa-serve-dokuwiki")) as server:
        yield server


@pytest.fixture(scope="session")
def mediawiki_widget_server(
    engine: Engine, settings: Settings, mediawiki: MediaWiki, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """``qa serve`` for the MediaWiki; yields (base URL, token)."""
    with qa_serve(mediawiki, settings, tmp_path_factory.mktemp("qa-serve-mediawiki")) as server:
        yield server
