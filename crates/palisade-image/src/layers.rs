//! Streaming layers: decompression (gzip, zstd or plain tar, by magic bytes), limits against
//! decompression bombs, path normalisation against traversal, whiteouts, and the per-file work
//! (keeping package databases, reading binaries and Java archives, scanning for secrets).
//! Nothing is written to disk and nothing from the image is executed.

use crate::error::{Error, Result};
use crate::fs::{Fs, Node, NodeKind, normalize};
use crate::inventory;
use crate::secrets::{Rules, SecretFinding};
use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read};
use std::rc::Rc;

/// Limits that keep a hostile image from exhausting memory, disk or time.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Uncompressed bytes of one layer.
    pub max_layer_bytes: u64,
    /// Uncompressed bytes of all layers together.
    pub max_total_bytes: u64,
    /// Uncompressed/compressed ratio of a layer, checked once 64 MiB have been inflated.
    pub max_ratio: u64,
    /// Tar entries in one layer.
    pub max_entries: u64,
    /// Package databases and manifests kept in memory.
    pub max_kept_file: u64,
    /// Files scanned for secrets; larger ones are skipped.
    pub max_secret_file: u64,
    /// Executables read for Go and Rust build information.
    pub max_binary: u64,
    /// Java archives (including nested ones).
    pub max_archive: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 16 << 30,
            max_total_bytes: 64 << 30,
            max_ratio: 1000,
            max_entries: 2_000_000,
            max_kept_file: 256 << 20,
            max_secret_file: 1 << 20,
            max_binary: 512 << 20,
            max_archive: 256 << 20,
        }
    }
}

/// Counts bytes and fails past a limit, so a bomb is stopped while it inflates.
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let total = self.count.get() + n as u64;
        self.count.set(total);
        if total > self.limit {
            return Err(io::Error::other(LimitHit(format!(
                "more than {} bytes",
                self.limit
            ))));
        }
        Ok(n)
    }
}

#[derive(Debug)]
struct LimitHit(String);
impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for LimitHit {}

/// Fails when inflated bytes exceed `ratio` times the compressed bytes read so far.
struct RatioGuard<R> {
    inner: R,
    compressed: Rc<Cell<u64>>,
    inflated: u64,
    ratio: u64,
}

impl<R: Read> Read for RatioGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.inflated += n as u64;
        if self.inflated > 64 << 20
            && self.inflated > self.compressed.get().saturating_mul(self.ratio)
        {
            return Err(io::Error::other(LimitHit(format!(
                "inflates more than {}x ({} bytes from {})",
                self.ratio,
                self.inflated,
                self.compressed.get()
            ))));
        }
        Ok(n)
    }
}

/// Decodes concatenated zstd frames.
struct Zstd<R: Read> {
    inner: Option<BufReader<R>>,
    dec: Option<ruzstd::decoding::StreamingDecoder<BufReader<R>, ruzstd::decoding::FrameDecoder>>,
}

impl<R: Read> Read for Zstd<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(d) = &mut self.dec {
                let n = d.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
                let mut inner = self.dec.take().map(|d| d.into_inner());
                if let Some(r) = &mut inner
                    && r.fill_buf()?.is_empty()
                {
                    return Ok(0);
                }
                self.inner = inner;
            }
            let Some(r) = self.inner.take() else {
                return Ok(0);
            };
            self.dec = Some(ruzstd::decoding::StreamingDecoder::new(r).map_err(io::Error::other)?);
        }
    }
}

/// Picks the decoder from the first bytes of the blob.
fn decoder<'a>(r: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
    let mut br = BufReader::with_capacity(256 << 10, r);
    let head = br.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(br)))
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Ok(Box::new(Zstd {
            inner: Some(br),
            dec: None,
        }))
    } else {
        Ok(Box::new(br))
    }
}

/// Everything gathered while streaming the layers.
pub struct Collector<'a> {
    pub limits: &'a Limits,
    pub rules: Option<&'a Rules>,
    pub fs: Fs,
    pub secrets: Vec<SecretFinding>,
    pub warnings: Vec<String>,
    /// Uncompressed bytes seen so far, for `max_total_bytes`.
    total: u64,
}

const ELF_MAGIC: &[u8] = b"\x7fELF";

impl<'a> Collector<'a> {
    pub fn new(limits: &'a Limits, rules: Option<&'a Rules>) -> Self {
        Collector {
            limits,
            rules,
            fs: Fs::new(),
            secrets: Vec::new(),
            warnings: Vec::new(),
            total: 0,
        }
    }

    /// Streams one layer blob (compressed or not) into the filesystem.
    pub fn layer(&mut self, index: usize, digest: &str, blob: impl Read) -> Result<()> {
        let compressed = Rc::new(Cell::new(0u64));
        let inflated = Rc::new(Cell::new(0u64));
        let layer_err = |e: io::Error| -> Error {
            if let Some(inner) = e.get_ref() {
                if let Some(l) = inner.downcast_ref::<LimitHit>() {
                    return Error::Limit {
                        what: format!("layer {digest}"),
                        reason: l.0.clone(),
                    };
                }
                if let Some(Error::Digest { digest, computed }) = inner.downcast_ref::<Error>() {
                    return Error::Digest {
                        digest: digest.clone(),
                        computed: computed.clone(),
                    };
                }
            }
            Error::Layer {
                digest: digest.to_string(),
                reason: format!("cannot read the layer: {e}"),
            }
        };
        let mut raw = Counted {
            inner: blob,
            count: compressed.clone(),
            limit: u64::MAX,
        };
        {
            let dec = decoder(&mut raw).map_err(layer_err)?;
            let remaining_total = self.limits.max_total_bytes.saturating_sub(self.total);
            let guarded = RatioGuard {
                inner: Counted {
                    inner: dec,
                    count: inflated.clone(),
                    limit: self.limits.max_layer_bytes.min(remaining_total),
                },
                compressed: compressed.clone(),
                inflated: 0,
                ratio: self.limits.max_ratio,
            };
            let mut ar = tar::Archive::new(guarded);
            let entries = ar.entries().map_err(layer_err)?;
            let mut count = 0u64;
            for entry in entries {
                let mut entry = entry.map_err(layer_err)?;
                count += 1;
                if count > self.limits.max_entries {
                    return Err(Error::Limit {
                        what: format!("layer {digest}"),
                        reason: format!("more than {} entries", self.limits.max_entries),
                    });
                }
                self.entry(index, digest, &mut entry).map_err(layer_err)?;
            }
            // Read to the end so the blob's digest is checked.
            let mut rest = ar.into_inner();
            io::copy(&mut rest, &mut io::sink()).map_err(layer_err)?;
        }
        io::copy(&mut raw, &mut io::sink()).map_err(layer_err)?;
        self.total += inflated.get();
        Ok(())
    }

    fn entry<R: Read>(
        &mut self,
        layer: usize,
        digest: &str,
        entry: &mut tar::Entry<'_, R>,
    ) -> io::Result<()> {
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let Some(path) = normalize(&raw) else {
            self.warnings.push(format!(
                "layer {digest}: skipped `{raw}`: path escapes the image root"
            ));
            return Ok(());
        };
        if path.is_empty() {
            return Ok(());
        }
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d, b),
            None => ("", path.as_str()),
        };
        if base == ".wh..wh..opq" {
            self.fs.opaque(dir, layer);
            return Ok(());
        }
        if let Some(name) = base.strip_prefix(".wh.") {
            if !name.starts_with(".wh.") {
                let target = if dir.is_empty() {
                    name.to_string()
                } else {
                    format!("{dir}/{name}")
                };
                self.fs.whiteout(&target, layer);
            }
            return Ok(());
        }
        let header = entry.header();
        let ty = header.entry_type();
        let mode = header.mode().unwrap_or(0);
        let link = || -> Option<String> {
            entry
                .link_name_bytes()
                .map(|l| String::from_utf8_lossy(&l).into_owned())
        };
        use tar::EntryType as T;
        match ty {
            T::Directory => self.fs.insert(path, Node::other(layer, NodeKind::Dir)),
            T::Symlink => {
                let target = link().unwrap_or_default();
                self.fs
                    .insert(path, Node::other(layer, NodeKind::Symlink(target)));
            }
            T::Link => match link().and_then(|t| normalize(&t)) {
                Some(t) => self
                    .fs
                    .insert(path, Node::other(layer, NodeKind::Hardlink(t))),
                None => self.warnings.push(format!(
                    "layer {digest}: skipped hard link `{path}`: target escapes the image root"
                )),
            },
            T::Regular | T::Continuous | T::GNUSparse => {
                let size = entry.size();
                self.file(layer, digest, path, size, mode, entry)?;
            }
            T::Char | T::Block | T::Fifo => {
                self.fs.insert(path, Node::other(layer, NodeKind::Special))
            }
            _ => {}
        }
        Ok(())
    }

    /// One regular file: decides what to read, reads it once, and files the results.
    pub fn file(
        &mut self,
        layer: usize,
        digest: &str,
        path: String,
        size: u64,
        mode: u32,
        r: &mut dyn Read,
    ) -> io::Result<()> {
        let l = self.limits;
        let keep = inventory::keep_contents(&path);
        let archive = inventory::is_java_archive(&path);
        let maybe_binary = mode & 0o111 != 0 && size >= 1024 && size <= l.max_binary;
        let secrets = size <= l.max_secret_file
            && size > 0
            && self.rules.is_some_and(|r| !r.path_allowed(&path));
        let mut data = None;
        let mut packages = Vec::new();
        if keep && size > l.max_kept_file {
            self.warnings.push(format!(
                "{path}: skipped, {size} bytes exceeds the limit for package databases"
            ));
        } else if archive && size > l.max_archive {
            self.warnings.push(format!(
                "{path}: skipped, {size} bytes exceeds the limit for Java archives"
            ));
        } else if keep || archive || secrets || maybe_binary {
            let mut head = [0u8; 4];
            let mut got = 0;
            while got < 4 && (got as u64) < size {
                let n = r.read(&mut head[got..])?;
                if n == 0 {
                    break;
                }
                got += n;
            }
            let is_elf = &head[..got] == ELF_MAGIC;
            if keep || archive || secrets || (maybe_binary && is_elf) {
                let mut buf = Vec::with_capacity(size.min(64 << 20) as usize);
                buf.extend_from_slice(&head[..got]);
                r.take(size.saturating_sub(got as u64))
                    .read_to_end(&mut buf)?;
                if is_elf {
                    packages.extend(inventory::binary::scan(&buf, &path));
                } else if archive {
                    match inventory::java::scan(&buf, &path, l.max_archive) {
                        Ok(p) => packages.extend(p),
                        Err(e) => self.warnings.push(format!("{path}: {e}")),
                    }
                }
                if secrets
                    && !is_elf
                    && let Some(rules) = self.rules
                {
                    self.secrets.extend(rules.scan_file(&buf, &path, digest));
                }
                if keep {
                    data = Some(buf);
                }
            }
        }
        let mut node = Node::file(layer, size, data);
        node.packages = packages;
        self.fs.insert(path, node);
        Ok(())
    }

    /// Walks an unpacked root filesystem as a single layer: symlinks are recorded, never followed.
    pub fn dir(&mut self, root: &std::path::Path) -> Result<()> {
        let mut stack = vec![(root.to_path_buf(), String::new())];
        let mut count = 0u64;
        while let Some((abs, rel)) = stack.pop() {
            let rd = std::fs::read_dir(&abs).map_err(|e| Error::io(&abs, e))?;
            for ent in rd {
                let ent = ent.map_err(|e| Error::io(&abs, e))?;
                count += 1;
                if count > self.limits.max_entries {
                    return Err(Error::Limit {
                        what: root.display().to_string(),
                        reason: format!("more than {} files", self.limits.max_entries),
                    });
                }
                let name = ent.file_name().to_string_lossy().into_owned();
                let child_rel = if rel.is_empty() {
                    name
                } else {
                    format!("{rel}/{name}")
                };
                let p = ent.path();
                let md = std::fs::symlink_metadata(&p).map_err(|e| Error::io(&p, e))?;
                let ft = md.file_type();
                if ft.is_dir() {
                    self.fs
                        .insert(child_rel.clone(), Node::other(0, NodeKind::Dir));
                    stack.push((p, child_rel));
                } else if ft.is_symlink() {
                    let t = std::fs::read_link(&p).map_err(|e| Error::io(&p, e))?;
                    self.fs.insert(
                        child_rel,
                        Node::other(0, NodeKind::Symlink(t.to_string_lossy().into_owned())),
                    );
                } else if ft.is_file() {
                    use std::os::unix::fs::PermissionsExt;
                    let mut f = std::fs::File::open(&p).map_err(|e| Error::io(&p, e))?;
                    self.file(0, "", child_rel, md.len(), md.permissions().mode(), &mut f)
                        .map_err(|e| Error::io(&p, e))?;
                } else {
                    self.fs.insert(child_rel, Node::other(0, NodeKind::Special));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (p, body) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // set_path refuses `..`; write the raw name to test traversal handling.
            let name = h.as_old_mut().name.as_mut();
            name[..p.len()].copy_from_slice(p.as_bytes());
            h.set_cksum();
            b.append(&h, *body).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn traversal_is_skipped_with_a_warning() {
        let limits = Limits::default();
        let mut c = Collector::new(&limits, None);
        let t = tar_of(&[("../../etc/evil", b"x"), ("ok/file", b"y")]);
        c.layer(0, "sha256:l0", &t[..]).unwrap();
        assert!(c.fs.get("ok/file").is_some());
        assert!(c.fs.get("etc/evil").is_none());
        assert!(
            c.warnings[0].contains("escapes the image root"),
            "{:?}",
            c.warnings
        );
    }

    #[test]
    fn gzip_and_whiteouts_across_layers() {
        let limits = Limits::default();
        let mut c = Collector::new(&limits, None);
        c.layer(
            0,
            "sha256:l0",
            &gz(&tar_of(&[("app/.env", b"A=1"), ("app/x", b"x")]))[..],
        )
        .unwrap();
        c.layer(1, "sha256:l1", &tar_of(&[("app/.wh..env", b"")])[..])
            .unwrap();
        assert!(c.fs.get("app/.env").is_none());
        assert!(c.fs.get("app/x").is_some());
    }

    #[test]
    fn decompression_bomb_is_stopped() {
        // 200 MiB of zeros compress to about 200 KiB: far beyond a 100x ratio.
        let big = vec![0u8; 200 << 20];
        let t = tar_of(&[("zeros", &big)]);
        let blob = gz(&t);
        let limits = Limits {
            max_ratio: 100,
            ..Limits::default()
        };
        let mut c = Collector::new(&limits, None);
        let err = c
            .layer(0, "sha256:bomb", &blob[..])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("limit exceeded") && err.contains("inflates more than 100x"),
            "{err}"
        );
        let limits = Limits {
            max_layer_bytes: 1 << 20,
            ..Limits::default()
        };
        let mut c = Collector::new(&limits, None);
        let err = c
            .layer(0, "sha256:bomb", &blob[..])
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 1048576 bytes"), "{err}");
    }

    #[test]
    fn device_files_are_never_read() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Char);
        h.set_size(0);
        h.set_path("dev/sda").unwrap();
        h.set_cksum();
        b.append(&h, &[][..]).unwrap();
        let t = b.into_inner().unwrap();
        let limits = Limits::default();
        let mut c = Collector::new(&limits, None);
        c.layer(0, "sha256:d", &t[..]).unwrap();
        assert!(matches!(
            c.fs.get("dev/sda").unwrap().kind,
            NodeKind::Special
        ));
    }
}
