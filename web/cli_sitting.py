"""`practicum sitting ...`: certification sittings from the board machine's shell.

    practicum sitting list                       every sitting: id, level, site, status, people, certificates
    practicum sitting zip ID -o all.zip          every certificate of a published sitting as PDFs in a zip,
                                                 rendered here with one process per core (--workers N)

The zip is the one the board's download builds (certpdf.write_zip), for a centre that would
rather build a large sitting's certificates beside the board than through the page. Its QR codes
carry --public-url (else PRACTICUM_PUBLIC_URL / the board's PUBLIC_URL): the address the
public opens the verification page at.

Exit status: 0 done; 1 refused (no such sitting, not published, no address for the QR codes);
2 wrong usage (click's own).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .cli_contest import _app, _board_opts

REFUSED = 1


@click.group("sitting")
def sitting_command() -> None:
    """Certification sittings (docs/certification.md)."""


@sitting_command.command("list")
@_board_opts
def sitting_list(database_url, instance_path):
    """Every sitting, newest first."""
    from sqlalchemy import func, select

    from .services import sittings
    from .storage.db import db
    from .storage.models import Certificate, Registration

    app = _app(instance_path, database_url)
    with app.app_context():
        people = dict(db.session.execute(select(Registration.sitting_id, func.count(Registration.id))
                                         .group_by(Registration.sitting_id)).all())
        certs = dict(db.session.execute(select(Certificate.sitting_id, func.count(Certificate.id))
                                        .group_by(Certificate.sitting_id)).all())
        for s in sittings.all_sittings():
            click.echo(f"{s.id:>4}  {s.level.value:<12} {s.site_code:<8} {s.status.value:<9} "
                       f"{people.get(s.id, 0):>6} people {certs.get(s.id, 0):>6} certificates  "
                       f"{s.ends_on.isoformat()}  {s.name_zh}")


@sitting_command.command("zip")
@click.argument("sitting_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--public-url", help="Base of the verification URL the QR codes carry, e.g. https://cert.example.org/.")
@click.option("--workers", type=int, default=None, help="Rendering processes (default: the cores, at most 4).")
@_board_opts
def sitting_zip(sitting_id, output, public_url, workers, database_url, instance_path):
    """Every certificate of a published sitting, one PDF each, in a zip at OUTPUT."""
    from .services import certificates, certpdf
    from .services.audit import record
    from .storage.db import db
    from .storage.models import Sitting, SittingStatus

    app = _app(instance_path, database_url)
    base = public_url or app.config.get("PUBLIC_URL")
    with app.app_context():
        sitting = db.session.get(Sitting, sitting_id)
        if sitting is None or sitting.status is not SittingStatus.PUBLISHED:
            click.echo(f"practicum: sitting {sitting_id} is not a published sitting on this board "
                       "(practicum sitting list)", err=True)
            sys.exit(REFUSED)
        if not base:
            click.echo("practicum: no address for the QR codes: --public-url or PRACTICUM_PUBLIC_URL", err=True)
            sys.exit(REFUSED)
        views = certificates.views(sitting.id)
        t0 = time.monotonic()
        shown = [0.0]

        def progress(done: int) -> None:
            if time.monotonic() - shown[0] >= 5 or done == len(views):
                shown[0] = time.monotonic()
                click.echo(f"  {done} / {len(views)}", err=True)

        stats = certpdf.write_zip(views, base, output, workers=workers, progress=progress)
        record("certificates_zip_cli", str(sitting.id), actor_name="cli", count=stats.count)
    click.echo(f"{stats.count} certificates in {stats.path} ({stats.size / 1e6:.1f} MB, "
               f"{time.monotonic() - t0:.0f} s)")
