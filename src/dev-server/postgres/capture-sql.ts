/**
 * Change capture by triggers, for databases without logical decoding (PGlite). A row trigger on
 * every user table writes each change, shaped as `realtime.apply_rls` shapes it, to a queue table
 * and notifies; an event trigger attaches the row trigger to tables created later. Everything
 * lives in the schema `realtime_xstate`, whose own tables are never captured.
 */

export const CAPTURE_SCHEMA = 'realtime_xstate'
export const CAPTURE_CHANNEL = 'realtime_xstate_changes'

// `old_record` follows the table's replica identity as logical decoding does: primary key columns
// (DEFAULT), the identity index (USING INDEX), the whole row (FULL) or nothing (NOTHING).
export const CAPTURE_SQL = `
create schema if not exists ${CAPTURE_SCHEMA};
create table if not exists ${CAPTURE_SCHEMA}.change_queue (id bigserial primary key, change jsonb not null);

-- wal2json writes NaN and ±Infinity of float and numeric columns as JSON null (JSON has no such
-- numbers), and the real server passes that null on; to_jsonb would give the string "NaN".
create or replace function ${CAPTURE_SCHEMA}.row_json(relid oid, row_value jsonb) returns jsonb language sql stable as $$
  select coalesce(jsonb_object_agg(e.key, case
      when jsonb_typeof(e.value) = 'string' and a.atttypid in ('float4'::regtype, 'float8'::regtype, 'numeric'::regtype) then 'null'::jsonb
      else e.value end), '{}'::jsonb)
    from jsonb_each(row_value) e join pg_attribute a on a.attrelid = relid and a.attname = e.key
$$;

create or replace function ${CAPTURE_SCHEMA}.capture() returns trigger language plpgsql as $$
declare
  replident "char" := (select relreplident from pg_class where oid = TG_RELID);
  identity_columns text[];
  old_row jsonb;
begin
  if TG_OP <> 'INSERT' then
    old_row := ${CAPTURE_SCHEMA}.row_json(TG_RELID, to_jsonb(OLD));
    if replident = 'n' then
      old_row := '{}'::jsonb;
    elsif replident <> 'f' then
      select coalesce(array_agg(a.attname::text), '{}') into identity_columns
        from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
        where i.indrelid = TG_RELID and case when replident = 'i' then i.indisreplident else i.indisprimary end;
      select coalesce(jsonb_object_agg(key, value), '{}'::jsonb) into old_row
        from jsonb_each(old_row) where key = any(identity_columns);
    end if;
  end if;
  insert into ${CAPTURE_SCHEMA}.change_queue (change) values (jsonb_build_object(
    'schema', TG_TABLE_SCHEMA,
    'table', TG_TABLE_NAME,
    'type', TG_OP,
    'commit_timestamp', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'columns', (select jsonb_agg(jsonb_build_object('name', a.attname, 'type', t.typname) order by a.attnum)
                  from pg_attribute a join pg_type t on t.oid = a.atttypid
                  where a.attrelid = TG_RELID and a.attnum > 0 and not a.attisdropped),
    'record', case when TG_OP <> 'DELETE' then ${CAPTURE_SCHEMA}.row_json(TG_RELID, to_jsonb(NEW)) end,
    'old_record', old_row,
    'has_pk', exists (select 1 from pg_index where indrelid = TG_RELID and indisprimary)
  ));
  perform pg_notify('${CAPTURE_CHANNEL}', '');
  return null;
end $$;

create or replace function ${CAPTURE_SCHEMA}.attach(target regclass) returns void language plpgsql as $$
begin
  execute format('drop trigger if exists realtime_xstate_capture on %s', target);
  execute format('create trigger realtime_xstate_capture after insert or update or delete on %s
                  for each row execute function ${CAPTURE_SCHEMA}.capture()', target);
end $$;

create or replace function ${CAPTURE_SCHEMA}.attach_new() returns event_trigger language plpgsql as $$
declare created record;
begin
  for created in select objid from pg_event_trigger_ddl_commands()
                 where object_type = 'table' and schema_name not in ('${CAPTURE_SCHEMA}', 'pg_catalog', 'information_schema')
                   and schema_name not like 'pg_temp%'
  loop
    perform ${CAPTURE_SCHEMA}.attach(created.objid::regclass);
  end loop;
end $$;

drop event trigger if exists realtime_xstate_attach;
create event trigger realtime_xstate_attach on ddl_command_end
  when tag in ('CREATE TABLE', 'CREATE TABLE AS', 'SELECT INTO')
  execute function ${CAPTURE_SCHEMA}.attach_new();

select ${CAPTURE_SCHEMA}.attach(c.oid::regclass)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind = 'r' and n.nspname not in ('${CAPTURE_SCHEMA}', 'pg_catalog', 'information_schema') and n.nspname not like 'pg_%';
`

/** Takes every queued change, oldest first, as JSON text (which keeps numeric digits exact). */
export const DRAIN_SQL = `with taken as (delete from ${CAPTURE_SCHEMA}.change_queue returning id, change)
  select change::text as change from taken order by id`
