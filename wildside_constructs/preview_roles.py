"""The SQL of preview login roles: the Job that creates one, the reaper that drops it.

Both halves live here because they share one contract, the marker: the role
Job (``wildside_ops.apps.preview_docs``, one per preview) comments its role
``wildside preview <n>, set at <Unix time> (Unix time)``, and the cluster-level
reaper (``wildside_constructs.platform.preview_role_reaper``) drops only roles
named exactly ``pr_<n>`` that carry that marker for the same ``<n>``. A role
anyone else created, or a preview role from before the marker, is never
touched (docs/previews.md, "Teardown leaves nothing behind").

The reaper's script reaches the cluster in a ConfigMap that Flux applies with
substitution disabled, so its dollar signs stay PostgreSQL's. No CDKTF
imports: ``wildside app`` reads this too.
"""

from __future__ import annotations

__all__ = ["LIVE_OWNERS_FILE", "REAPER_GRACE_SECONDS", "REAPER_SQL", "ROLE_SQL"]

# How long a marked role is left alone after its Job last ran. The reaper reads
# the Database resources first and PostgreSQL second: a preview applied in
# between has a role but was not listed, and must not lose it. Its role Job
# runs after its Database is applied, so such a role's marker is seconds old.
REAPER_GRACE_SECONDS = 3600
# Written by the reaper's first container into the working directory: the
# owner of every CloudNativePG Database left in Kubernetes, one per line.
LIVE_OWNERS_FILE = "live-owners"

# psql script run by the role Job with -v role=pr_<n> -v password=...
ROLE_SQL = """\
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \\gexec
SELECT format('ALTER ROLE %I WITH LOGIN PASSWORD %L', :'role', :'password') \\gexec
SELECT format('COMMENT ON ROLE %I IS %L', :'role',
              'wildside preview ' || substr(:'role', 4) || ', set at '
              || floor(extract(epoch FROM now()))::bigint || ' (Unix time)') \\gexec
"""

# psql script run by the reaper, connected to database postgres as the cluster's
# superuser, in the directory holding LIVE_OWNERS_FILE. Only static regular
# expressions: a role name is never spliced into a pattern.
REAPER_SQL = f"""\
-- Drops the login roles of torn-down previews (docs/previews.md).
\\set ON_ERROR_STOP on
-- Owners of every CloudNativePG Database still in Kubernetes: their roles stay
-- whatever PostgreSQL says (a preview whose database is not created yet).
CREATE TEMP TABLE live_owners (rolname text);
\\copy live_owners FROM '{LIVE_OWNERS_FILE}'
CREATE TEMP VIEW orphaned_preview_roles AS
SELECT r.rolname
  FROM pg_roles r
  JOIN pg_shdescription d
    ON d.objoid = r.oid AND d.classoid = 'pg_authid'::regclass
 WHERE r.rolname ~ '^pr_[0-9]+$'
   AND d.description ~ '^wildside preview [0-9]+, set at [0-9]{{1,12}} \\(Unix time\\)$'
   AND substring(d.description FROM '^wildside preview ([0-9]+),') = substr(r.rolname, 4)
   AND substring(d.description FROM 'set at ([0-9]{{1,12}})')::bigint
       < floor(extract(epoch FROM now()))::bigint - {REAPER_GRACE_SECONDS}
   AND NOT r.rolsuper
   AND r.rolname <> current_user
   AND NOT EXISTS (SELECT FROM pg_database db WHERE db.datdba = r.oid)
   AND NOT EXISTS (SELECT FROM live_owners l WHERE l.rolname = r.rolname);
SELECT rolname AS dropping FROM orphaned_preview_roles ORDER BY rolname;
-- One transaction per role, so one that cannot go leaves the others dropped.
-- Its database is gone already; what it still owns here goes to the superuser
-- (kept, not deleted), and its grants on shared objects are revoked.
\\set ON_ERROR_STOP off
SELECT format('REASSIGN OWNED BY %1$I TO CURRENT_USER; DROP OWNED BY %1$I; DROP ROLE %1$I',
              rolname)
  FROM orphaned_preview_roles ORDER BY rolname \\gexec
\\set ON_ERROR_STOP on
-- A role still here depends on objects in another database: fail the Job, by name.
DO 'BEGIN
  IF EXISTS (SELECT FROM orphaned_preview_roles) THEN
    RAISE EXCEPTION ''preview roles left behind (objects in another database?): %'',
      (SELECT string_agg(rolname, '', '' ORDER BY rolname) FROM orphaned_preview_roles);
  END IF;
END';
"""  # noqa: S608 - built from module constants, never from input
