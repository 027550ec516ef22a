//! Random access to the members of an uncompressed tar archive (docker-save and OCI archives):
//! one pass records where each member's data starts, then members are read by seeking.

use crate::error::{Error, Result};
use crate::fs::normalize;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
enum Member {
    File { offset: u64, size: u64 },
    Link(String),
}

#[derive(Debug)]
pub struct TarIndex {
    path: PathBuf,
    members: HashMap<String, Member>,
}

/// Archives with more members than this are not image archives.
const MAX_MEMBERS: usize = 1_000_000;

impl TarIndex {
    pub fn open(path: &Path) -> Result<Self> {
        let f = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut ar = tar::Archive::new(f);
        let mut members = HashMap::new();
        let entries = ar.entries().map_err(|e| Error::io(path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| {
                Error::format(
                    path.display().to_string(),
                    format!("not a tar archive: {e}"),
                )
            })?;
            if members.len() >= MAX_MEMBERS {
                return Err(Error::Limit {
                    what: path.display().to_string(),
                    reason: format!("more than {MAX_MEMBERS} archive members"),
                });
            }
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = normalize(&raw) else {
                continue;
            };
            let ty = entry.header().entry_type();
            if ty.is_file() {
                members.insert(
                    name,
                    Member::File {
                        offset: entry.raw_file_position(),
                        size: entry.size(),
                    },
                );
            } else if (ty.is_symlink() || ty.is_hard_link())
                && let Some(t) = entry.link_name_bytes()
            {
                {
                    let target = String::from_utf8_lossy(&t).into_owned();
                    let resolved = if ty.is_symlink() && !target.starts_with('/') {
                        let dir = name.rsplit_once('/').map_or("", |(d, _)| d);
                        format!("{dir}/{target}")
                    } else {
                        target
                    };
                    if let Some(t) = normalize(&resolved) {
                        members.insert(name, Member::Link(t));
                    }
                }
            }
        }
        Ok(TarIndex {
            path: path.to_path_buf(),
            members,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn contains(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    fn find(&self, name: &str) -> Option<(u64, u64)> {
        let mut cur = normalize(name)?;
        for _ in 0..16 {
            match self.members.get(&cur)? {
                Member::File { offset, size } => return Some((*offset, *size)),
                Member::Link(t) => cur = t.clone(),
            }
        }
        None
    }

    /// A reader over one member's bytes.
    pub fn open_member(&self, name: &str) -> Result<std::io::Take<File>> {
        let (offset, size) = self
            .find(name)
            .ok_or_else(|| Error::NotFound(format!("{}: member {name}", self.path.display())))?;
        let mut f = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| Error::io(&self.path, e))?;
        Ok(f.take(size))
    }

    pub fn read_member(&self, name: &str, limit: u64) -> Result<Vec<u8>> {
        let r = self.open_member(name)?;
        super::read_limited(r, limit, &format!("{}: {name}", self.path.display()))
    }
}
