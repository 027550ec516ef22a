//! The SQLite store: schema, import of OSV files/directories/zips, and status.

use crate::osv::{self, AffectedSpec, Record};
use crate::severity;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS vulns(
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    modified TEXT NOT NULL,
    published TEXT,
    withdrawn TEXT,
    aliases TEXT NOT NULL,
    summary TEXT NOT NULL,
    details TEXT NOT NULL,
    severity TEXT NOT NULL,
    score REAL,
    vector TEXT,
    hash INTEGER NOT NULL,
    source TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected(
    vuln INTEGER NOT NULL REFERENCES vulns(rowid) ON DELETE CASCADE,
    ecosystem TEXT NOT NULL,
    name TEXT NOT NULL,
    spec TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_by_name ON affected(name, ecosystem);
CREATE INDEX IF NOT EXISTS affected_by_vuln ON affected(vuln);
";

/// A database error, naming the file and what to do.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("vulnerability database {path}: {source}")]
    Sqlite {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(
        "vulnerability database {path} has schema version {found}, this palisade needs {SCHEMA_VERSION}: \
         delete it and run `palisade db import` or `palisade db update` again"
    )]
    Schema { path: String, found: i64 },
}

/// The local vulnerability database.
pub struct VulnDb {
    pub(crate) conn: Mutex<Connection>,
    pub(crate) path: String,
    pub(crate) cache: Mutex<crate::matcher::Cache>,
}

/// Default location: `<data dir>/palisade/vulndb.sqlite3` (`$XDG_DATA_HOME` on Linux),
/// overridden by the `PALISADE_DB` environment variable.
pub fn default_path() -> PathBuf {
    if let Some(p) = std::env::var_os("PALISADE_DB").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("palisade")
        .join("vulndb.sqlite3")
}

/// A problem with one input file; the import goes on with the others.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    /// `path`, or `archive.zip!entry.json`.
    pub source: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.source, self.message),
            None => write!(f, "{}: {}", self.source, self.message),
        }
    }
}

/// Counts of one import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub files: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Records older (by `modified`) than the copy already in the database.
    pub older: usize,
    pub problems: Vec<ImportProblem>,
}

/// What `palisade db status` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub path: String,
    pub records: u64,
    pub withdrawn: u64,
    /// Records per ecosystem (a record affecting two ecosystems counts in both).
    pub ecosystems: BTreeMap<String, u64>,
    /// Newest `modified` among the records (RFC 3339), if any.
    pub newest_modified: Option<String>,
    /// Unix time of the last import or update.
    pub last_import: Option<u64>,
}

pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// `modified` in one sortable form: UTC, nanosecond fraction (`2021-07-05T00:01:25.632991000Z`).
pub(crate) fn normalize_time(t: &str) -> String {
    let t = t.trim();
    let t = t
        .strip_suffix("+00:00")
        .map(|s| format!("{s}Z"))
        .unwrap_or_else(|| t.to_string());
    let Some(body) = t.strip_suffix('Z').or_else(|| t.strip_suffix('z')) else {
        return t;
    };
    let (secs, frac) = body.split_once('.').unwrap_or((body, ""));
    format!("{secs}.{frac:0<9}Z")
}

/// Seconds since the Unix epoch of an RFC 3339 UTC time (`YYYY-MM-DDTHH:MM:SS...`).
pub fn parse_unix(t: &str) -> Option<i64> {
    let b = t.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let n = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (n(0..4)?, n(5..7)?, n(8..10)?);
    let (hh, mm, ss) = (n(11..13)?, n(14..16)?, n(17..19)?);
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// The record's summary, or the first sentence of its details (PyPA records have no summary).
fn summary_of(summary: Option<&str>, details: &str) -> String {
    if let Some(s) = summary.map(str::trim).filter(|s| !s.is_empty()) {
        return s.to_string();
    }
    let para = details
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let sentence = match para.find(". ") {
        Some(i) => &para[..=i],
        None => para.as_str(),
    };
    if sentence.chars().count() > 160 {
        let cut: String = sentence.chars().take(157).collect();
        format!("{}...", cut.trim_end())
    } else {
        sentence.to_string()
    }
}

/// A stored time as people write it: `2021-07-05T00:01:25.632991Z`, `2021-07-05T00:01:25Z`.
pub fn display_time(t: &str) -> String {
    match t.strip_suffix('Z').and_then(|b| b.split_once('.')) {
        Some((secs, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                format!("{secs}Z")
            } else {
                format!("{secs}.{frac}Z")
            }
        }
        None => t.to_string(),
    }
}

fn fnv1a(bytes: &[u8]) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// One input to parse: where it came from and its bytes.
struct Input {
    source: String,
    yaml: bool,
    bytes: Vec<u8>,
}

fn is_record_file(name: &str) -> Option<bool> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Some(false)
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        Some(true)
    } else {
        None
    }
}

fn io_problem(path: &Path, e: impl fmt::Display) -> ImportProblem {
    ImportProblem {
        source: path.display().to_string(),
        line: None,
        message: e.to_string(),
    }
}

/// Collects the record files under `path` (a file, a directory or an OSV zip).
fn collect(path: &Path, out: &mut Vec<Input>, problems: &mut Vec<ImportProblem>) {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            problems.push(io_problem(
                path,
                format!("{e}: give an OSV file, a directory or an OSV zip"),
            ));
            return;
        }
    };
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd.filter_map(|e| e.ok()).map(|e| e.path()).collect(),
            Err(e) => return problems.push(io_problem(path, e)),
        };
        entries.sort();
        for p in entries {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.starts_with('.') {
                continue;
            }
            let is_dir = p.is_dir();
            if is_dir
                || is_record_file(name).is_some()
                || name.to_ascii_lowercase().ends_with(".zip")
            {
                collect(&p, out, problems);
            }
        }
        return;
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.to_ascii_lowercase().ends_with(".zip") {
        return read_zip(path, out, problems);
    }
    let yaml = is_record_file(name).unwrap_or(false);
    match std::fs::read(path) {
        Ok(bytes) => out.push(Input {
            source: path.display().to_string(),
            yaml,
            bytes,
        }),
        Err(e) => problems.push(io_problem(path, e)),
    }
}

/// Entries larger than this are refused (OSV records are a few kB; this guards against bombs).
const MAX_ENTRY: u64 = 64 << 20;

fn read_zip(path: &Path, out: &mut Vec<Input>, problems: &mut Vec<ImportProblem>) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return problems.push(io_problem(path, e)),
    };
    let mut zip = match zip::ZipArchive::new(std::io::BufReader::new(file)) {
        Ok(z) => z,
        Err(e) => {
            return problems.push(io_problem(path, format!("not a readable zip archive: {e}")));
        }
    };
    for i in 0..zip.len() {
        let mut entry = match zip.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                problems.push(io_problem(path, format!("entry {i}: {e}")));
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let name = entry.name().to_string();
        let Some(yaml) = is_record_file(&name) else {
            continue;
        };
        let source = format!("{}!{name}", path.display());
        if entry.size() > MAX_ENTRY {
            problems.push(ImportProblem {
                source,
                line: None,
                message: format!("entry larger than {MAX_ENTRY} bytes, skipped"),
            });
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        match (&mut entry).take(MAX_ENTRY + 1).read_to_end(&mut bytes) {
            Ok(_) if bytes.len() as u64 <= MAX_ENTRY => out.push(Input {
                source,
                yaml,
                bytes,
            }),
            Ok(_) => problems.push(ImportProblem {
                source,
                line: None,
                message: "entry too large, skipped".into(),
            }),
            Err(e) => problems.push(ImportProblem {
                source,
                line: None,
                message: e.to_string(),
            }),
        }
    }
}

/// Parses one input into records: a record, a JSON array of records, or `{"vulns": [...]}`.
fn parse_input(input: &Input) -> Result<Vec<Record>, ImportProblem> {
    let problem = |line: Option<usize>, message: String| ImportProblem {
        source: input.source.clone(),
        line,
        message,
    };
    if input.yaml {
        let text = std::str::from_utf8(&input.bytes)
            .map_err(|e| problem(None, format!("not UTF-8: {e}")))?;
        return serde_saphyr::from_str::<Record>(text)
            .map(|r| vec![r])
            .map_err(|e| problem(None, format!("not an OSV record: {e}")));
    }
    let value: serde_json::Value = serde_json::from_slice(&input.bytes)
        .map_err(|e| problem(Some(e.line()), format!("invalid JSON: {e}")))?;
    let list = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut m) if !m.contains_key("id") && m.contains_key("vulns") => {
            match m.remove("vulns") {
                Some(serde_json::Value::Array(items)) => items,
                _ => return Err(problem(None, "`vulns` is not a list of OSV records".into())),
            }
        }
        v => vec![v],
    };
    list.into_iter()
        .map(|v| {
            serde_json::from_value::<Record>(v)
                .map_err(|e| problem(None, format!("not an OSV record: {e}")))
        })
        .collect()
}

impl VulnDb {
    /// Opens (creating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<VulnDb, DbError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| DbError::Io {
                path: dir.display().to_string(),
                message: format!("cannot create the database directory: {e}"),
            })?;
        }
        let sql = |source| DbError::Sqlite {
            path: shown.clone(),
            source,
        };
        let conn = Connection::open(path).map_err(sql)?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        )
        .map_err(sql)?;
        conn.execute_batch(SCHEMA).map_err(sql)?;
        let found: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key='schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?;
        match found.and_then(|v| v.parse::<i64>().ok()) {
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES('schema', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )
                .map_err(sql)?;
            }
            Some(v) if v != SCHEMA_VERSION => {
                return Err(DbError::Schema {
                    path: shown,
                    found: v,
                });
            }
            Some(_) => {}
        }
        Ok(VulnDb {
            conn: Mutex::new(conn),
            path: shown,
            cache: Mutex::default(),
        })
    }

    /// Opens the database at [`default_path`].
    pub fn open_default() -> Result<VulnDb, DbError> {
        VulnDb::open(default_path())
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    fn sql_err(&self) -> impl Fn(rusqlite::Error) -> DbError + '_ {
        |source| DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable (SQLite rolls back).
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Imports OSV files, directories (recursively) and zips, in one transaction. Records are
    /// inserted, updated when their content changed and they are not older than the stored
    /// copy, or left alone. Unreadable inputs are reported in `problems`; the rest is imported.
    pub fn import(&self, paths: &[PathBuf]) -> Result<ImportReport, DbError> {
        let mut report = ImportReport::default();
        let mut inputs = Vec::new();
        for p in paths {
            collect(p, &mut inputs, &mut report.problems);
        }
        report.files = inputs.len();
        let parsed: Vec<(usize, Result<Vec<Record>, ImportProblem>)> = {
            use rayon::prelude::*;
            inputs
                .par_iter()
                .enumerate()
                .map(|(i, input)| (i, parse_input(input)))
                .collect()
        };
        let sql = self.sql_err();
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(&sql)?;
        {
            let mut find = tx
                .prepare_cached("SELECT rowid, modified, hash FROM vulns WHERE id = ?1")
                .map_err(&sql)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO vulns(id, modified, published, withdrawn, aliases, summary, details, severity, \
                     score, vector, hash, source) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
                )
                .map_err(&sql)?;
            let mut update = tx
                .prepare_cached(
                    "UPDATE vulns SET modified=?2, published=?3, withdrawn=?4, aliases=?5, summary=?6, details=?7, \
                     severity=?8, score=?9, vector=?10, hash=?11, source=?12 WHERE rowid=?1",
                )
                .map_err(&sql)?;
            let mut clear = tx
                .prepare_cached("DELETE FROM affected WHERE vuln = ?1")
                .map_err(&sql)?;
            let mut add = tx
                .prepare_cached(
                    "INSERT INTO affected(vuln, ecosystem, name, spec) VALUES(?1,?2,?3,?4)",
                )
                .map_err(&sql)?;
            for (i, result) in parsed {
                let records = match result {
                    Ok(r) => r,
                    Err(p) => {
                        report.problems.push(p);
                        continue;
                    }
                };
                for rec in records {
                    if rec.id.trim().is_empty() {
                        report.problems.push(ImportProblem {
                            source: inputs[i].source.clone(),
                            line: None,
                            message: "record without an `id`, skipped".into(),
                        });
                        continue;
                    }
                    let hash = fnv1a(&inputs[i].bytes) ^ fnv1a(rec.id.as_bytes());
                    let modified = normalize_time(&rec.modified);
                    let existing: Option<(i64, String, i64)> = find
                        .query_row([&rec.id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                        .optional()
                        .map_err(&sql)?;
                    let a = severity::assess(&rec.severity, rec.database_specific.as_ref());
                    let aliases =
                        serde_json::to_string(&rec.aliases).unwrap_or_else(|_| "[]".into());
                    let sev = crate::rating_str(a.severity);
                    let details = rec.details.as_deref().unwrap_or("");
                    let summary = summary_of(rec.summary.as_deref(), details);
                    let src = &inputs[i].source;
                    let rowid = match existing {
                        Some((_, _, h)) if h == hash => {
                            report.unchanged += 1;
                            continue;
                        }
                        Some((_, old, _)) if modified < old => {
                            report.older += 1;
                            continue;
                        }
                        Some((rowid, _, _)) => {
                            update
                                .execute(params![
                                    rowid,
                                    modified,
                                    rec.published,
                                    rec.withdrawn,
                                    aliases,
                                    summary,
                                    details,
                                    sev,
                                    a.score,
                                    a.vector,
                                    hash,
                                    src
                                ])
                                .map_err(&sql)?;
                            clear.execute([rowid]).map_err(&sql)?;
                            report.updated += 1;
                            rowid
                        }
                        None => {
                            insert
                                .execute(params![
                                    rec.id,
                                    modified,
                                    rec.published,
                                    rec.withdrawn,
                                    aliases,
                                    summary,
                                    details,
                                    sev,
                                    a.score,
                                    a.vector,
                                    hash,
                                    src
                                ])
                                .map_err(&sql)?;
                            report.inserted += 1;
                            tx.last_insert_rowid()
                        }
                    };
                    for aff in &rec.affected {
                        let Some(pkg) = &aff.package else { continue };
                        if pkg.ecosystem.is_empty() || pkg.name.is_empty() {
                            continue;
                        }
                        let spec = AffectedSpec {
                            versions: aff.versions.clone(),
                            // GIT ranges are commit hashes: nothing to compare versions with.
                            ranges: aff
                                .ranges
                                .iter()
                                .filter(|r| r.kind != "GIT")
                                .cloned()
                                .collect(),
                            severity: aff.severity.clone(),
                        };
                        if spec.versions.is_empty() && spec.ranges.is_empty() {
                            continue;
                        }
                        let spec = serde_json::to_string(&spec).unwrap_or_default();
                        let name = osv::normalize_name(&pkg.ecosystem, &pkg.name);
                        add.execute(params![rowid, pkg.ecosystem, name, spec])
                            .map_err(&sql)?;
                    }
                }
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta VALUES('last_import', ?1)",
            [now_unix().to_string()],
        )
        .map_err(&sql)?;
        tx.commit().map_err(&sql)?;
        drop(conn);
        self.clear_cache();
        Ok(report)
    }

    /// Counts per ecosystem, newest `modified`, last import.
    pub fn status(&self) -> Result<Status, DbError> {
        let sql = self.sql_err();
        let conn = self.lock();
        let (records, withdrawn, newest): (u64, u64, Option<String>) = conn
            .query_row(
                "SELECT COUNT(*), COUNT(withdrawn), MAX(modified) FROM vulns",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(&sql)?;
        let mut ecosystems = BTreeMap::new();
        let mut stmt = conn
            .prepare("SELECT ecosystem, COUNT(DISTINCT vuln) FROM affected GROUP BY ecosystem")
            .map_err(&sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))
            .map_err(&sql)?;
        for row in rows {
            let (e, n) = row.map_err(&sql)?;
            ecosystems.insert(e, n);
        }
        let last_import: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key='last_import'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(&sql)?;
        Ok(Status {
            path: self.path.clone(),
            records,
            withdrawn,
            ecosystems,
            newest_modified: newest,
            last_import: last_import.and_then(|v| v.parse().ok()),
        })
    }

    /// The ecosystems `palisade db update` fetches: those last given with `--ecosystem`, else
    /// the families already in the database (`Debian`, `PyPI`), else `defaults`.
    pub fn update_ecosystems(&self, defaults: &[&str]) -> Result<Vec<String>, DbError> {
        let sql = self.sql_err();
        let saved: Option<String> = self
            .lock()
            .query_row(
                "SELECT value FROM meta WHERE key='update_ecosystems'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(&sql)?;
        if let Some(list) = saved.and_then(|s| serde_json::from_str::<Vec<String>>(&s).ok())
            && !list.is_empty()
        {
            return Ok(list);
        }
        let present = self.ecosystem_families()?;
        if !present.is_empty() {
            return Ok(present);
        }
        Ok(defaults.iter().map(|s| s.to_string()).collect())
    }

    /// Remembers the ecosystems for later `palisade db update` runs.
    pub fn set_update_ecosystems(&self, ecosystems: &[String]) -> Result<(), DbError> {
        let value = serde_json::to_string(ecosystems).unwrap_or_else(|_| "[]".into());
        self.lock()
            .execute(
                "INSERT OR REPLACE INTO meta VALUES('update_ecosystems', ?1)",
                [value],
            )
            .map_err(self.sql_err())?;
        Ok(())
    }

    /// The OSV ecosystems present in the database (without release suffixes: `Debian`, `PyPI`).
    pub fn ecosystem_families(&self) -> Result<Vec<String>, DbError> {
        let st = self.status()?;
        let mut v: Vec<String> = st
            .ecosystems
            .keys()
            .map(|e| e.split(':').next().unwrap_or(e).to_string())
            .collect();
        v.dedup();
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(
            normalize_time("2021-07-05T00:01:25.632991Z"),
            "2021-07-05T00:01:25.632991000Z"
        );
        assert_eq!(
            normalize_time("2021-07-05T00:01:25Z"),
            "2021-07-05T00:01:25.000000000Z"
        );
        assert!(normalize_time("2021-07-05T00:01:25Z") < normalize_time("2021-07-05T00:01:25.1Z"));
        assert_eq!(
            normalize_time("2021-07-05T00:01:25+00:00"),
            "2021-07-05T00:01:25.000000000Z"
        );
        assert_eq!(parse_unix("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_unix("2024-10-10T12:00:00Z"), Some(1_728_561_600));
        assert_eq!(parse_unix("garbage"), None);
        assert_eq!(
            display_time("2021-07-05T00:01:25.000000000Z"),
            "2021-07-05T00:01:25Z"
        );
        assert_eq!(
            display_time("2021-07-05T00:01:25.632991000Z"),
            "2021-07-05T00:01:25.632991Z"
        );
    }

    #[test]
    fn update_ecosystems_are_remembered() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = VulnDb::open(dir.path().join("v.db")).expect("open");
        assert_eq!(db.update_ecosystems(&["PyPI"]).expect("read"), vec!["PyPI"]);
        let src = dir.path().join("r.json");
        std::fs::write(&src, r#"{"id":"D-1","affected":[{"package":{"ecosystem":"Debian:12","name":"x"},"versions":["1"]}]}"#)
            .expect("write");
        db.import(&[src]).expect("import");
        assert_eq!(
            db.update_ecosystems(&["PyPI"]).expect("read"),
            vec!["Debian"]
        );
        db.set_update_ecosystems(&["Go".into(), "npm".into()])
            .expect("save");
        assert_eq!(
            db.update_ecosystems(&["PyPI"]).expect("read"),
            vec!["Go", "npm"]
        );
    }

    #[test]
    fn summaries() {
        assert_eq!(summary_of(Some(" S "), "D"), "S");
        assert_eq!(
            summary_of(None, "Requests before 2.3.0 leaks.\nMore here. And more."),
            "Requests before 2.3.0 leaks."
        );
        assert_eq!(
            summary_of(Some(""), "x ".repeat(200).as_str())
                .chars()
                .count(),
            160
        );
    }
}
