//! A fake Kubernetes API server on loopback (plain HTTP), just enough for a Namespace watch:
//! `GET /api/v1/namespaces` (a NamespaceList with a resourceVersion) and the same with
//! `watch=true` (newline-delimited WatchEvents, chunked). The test changes namespaces and the
//! open watches stream the events.

use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

#[derive(Default)]
struct State {
    /// Lists wait until the test opens them (to see the webhook unready meanwhile).
    list_open: bool,
    namespaces: BTreeMap<String, Value>,
    resource_version: u64,
    /// (resourceVersion, one WatchEvent line) since the start.
    events: Vec<(u64, String)>,
    /// Bumped to end the watches that are open.
    generation: u64,
    /// Watch requests to refuse with HTTP 500.
    failing_watches: usize,
    lists: usize,
    watches: usize,
    stopped: bool,
}

pub struct FakeApi {
    pub url: String,
    shared: Arc<(Mutex<State>, Condvar)>,
}

impl FakeApi {
    pub fn start() -> FakeApi {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fake API");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let shared = Arc::new((Mutex::new(State::default()), Condvar::new()));
        let s = Arc::clone(&shared);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.0.lock().expect("state").stopped {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let s = Arc::clone(&s);
                std::thread::spawn(move || serve(conn, &s));
            }
        });
        FakeApi { url, shared }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.0.lock().expect("state")
    }

    fn changed(&self) {
        self.shared.1.notify_all();
    }

    /// Adds or relabels a namespace (ADDED or MODIFIED to the open watches).
    pub fn set(&self, name: &str, labels: &[(&str, &str)]) {
        self.put(name, labels, true);
    }

    /// Adds a namespace whose watch event is held back (as if still on its way): only a GET
    /// of it, or a new list, sees it.
    pub fn set_unwatched(&self, name: &str, labels: &[(&str, &str)]) {
        self.put(name, labels, false);
    }

    fn put(&self, name: &str, labels: &[(&str, &str)], watched: bool) {
        let mut st = self.state();
        st.resource_version += 1;
        let rv = st.resource_version;
        let labels: BTreeMap<&str, &str> = labels.iter().copied().collect();
        let obj = json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "resourceVersion": rv.to_string(),
                "uid": format!("uid-{name}"), "labels": labels}});
        let kind = if st.namespaces.contains_key(name) {
            "MODIFIED"
        } else {
            "ADDED"
        };
        if watched {
            st.events
                .push((rv, json!({"type": kind, "object": obj}).to_string()));
        }
        st.namespaces.insert(name.to_string(), obj);
        drop(st);
        self.changed();
    }

    /// Lets lists be answered.
    pub fn open_list(&self) {
        self.state().list_open = true;
        self.changed();
    }

    /// Ends the open watches and refuses the next `n` watch requests with HTTP 500.
    pub fn break_watches(&self, n: usize) {
        let mut st = self.state();
        st.generation += 1;
        st.failing_watches = n;
        drop(st);
        self.changed();
    }

    /// (lists answered, watches started).
    pub fn requests(&self) -> (usize, usize) {
        let st = self.state();
        (st.lists, st.watches)
    }

    /// A kubeconfig whose current context is this server.
    pub fn write_kubeconfig(&self, path: &Path) {
        let kc = format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {}\n\
             users:\n- name: tester\n  user:\n    token: not-a-secret\ncontexts:\n- name: fake\n  \
             context:\n    cluster: fake\n    user: tester\ncurrent-context: fake\n",
            self.url
        );
        std::fs::write(path, kc).expect("write kubeconfig");
    }
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.state().stopped = true;
        self.changed();
        // Wakes the accept loop so it sees `stopped`.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
    }
}

/// Serves one connection: requests in turn (keep-alive: the client pools connections) until
/// a watch, which closes it, or the client closes it.
fn serve(conn: TcpStream, shared: &(Mutex<State>, Condvar)) {
    let Ok(read) = conn.try_clone() else { return };
    let mut reader = BufReader::new(read);
    let mut out = conn;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        // Headers: nothing in them matters here; GETs have no body.
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" || h == "\n" {
                break;
            }
        }
        let target = request_line.split_whitespace().nth(1).unwrap_or("");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let param = |k: &str| {
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix(k)?.strip_prefix('='))
        };
        if let Some(name) = path.strip_prefix("/api/v1/namespaces/") {
            let found = shared
                .0
                .lock()
                .expect("state")
                .namespaces
                .get(name)
                .cloned();
            let sent = match found {
                Some(ns) => respond(&mut out, "200 OK", &ns),
                None => {
                    let status = json!({"kind": "Status", "apiVersion": "v1",
                        "status": "Failure", "message": format!("namespaces \"{name}\" not found"),
                        "reason": "NotFound", "details": {"name": name, "kind": "namespaces"},
                        "code": 404});
                    respond(&mut out, "404 Not Found", &status)
                }
            };
            if sent.is_err() {
                return;
            }
            continue;
        }
        if path != "/api/v1/namespaces" {
            let status = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "message": format!("the fake API serves only namespaces, not {path}"),
                "reason": "NotFound", "code": 404});
            if respond(&mut out, "404 Not Found", &status).is_err() {
                return;
            }
            continue;
        }
        if matches!(param("watch"), Some("true" | "1")) {
            let since: u64 = param("resourceVersion")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            watch(&mut out, shared, since);
            return;
        }
        let list = {
            let mut st = shared.0.lock().expect("state");
            while !st.list_open && !st.stopped {
                st = shared
                    .1
                    .wait_timeout(st, Duration::from_millis(100))
                    .expect("state")
                    .0;
            }
            if st.stopped {
                return;
            }
            st.lists += 1;
            json!({"apiVersion": "v1", "kind": "NamespaceList",
                "metadata": {"resourceVersion": st.resource_version.to_string()},
                "items": st.namespaces.values().collect::<Vec<_>>()})
        };
        if respond(&mut out, "200 OK", &list).is_err() {
            return;
        }
    }
}

fn respond(out: &mut TcpStream, status: &str, body: &Value) -> std::io::Result<()> {
    let body = body.to_string();
    write!(
        out,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    out.flush()
}

/// Streams the events after `since`, a BOOKMARK when caught up, then new events as they come,
/// until the test breaks the watches or stops. Watch answers say `Connection: close`, so the
/// client never reuses a connection that served one.
fn watch(out: &mut TcpStream, shared: &(Mutex<State>, Condvar), since: u64) {
    let mut st = shared.0.lock().expect("state");
    if st.failing_watches > 0 {
        st.failing_watches -= 1;
        drop(st);
        let body = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
            "message": "etcdserver: request timed out (fake)", "reason": "InternalError",
            "code": 500})
        .to_string();
        let _ = write!(
            out,
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return;
    }
    st.watches += 1;
    let generation = st.generation;
    drop(st);
    let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    if out.write_all(head.as_bytes()).is_err() {
        return;
    }
    let mut sent = since;
    let mut bookmarked = false;
    loop {
        let (lines, rv) = {
            let mut st = shared.0.lock().expect("state");
            loop {
                if st.stopped {
                    return;
                }
                if st.generation != generation {
                    // The end of a chunked body: the stream ends cleanly, as at a timeout.
                    let _ = out.write_all(b"0\r\n\r\n").and_then(|_| out.flush());
                    return;
                }
                if st.resource_version > sent || !bookmarked {
                    break;
                }
                st = shared
                    .1
                    .wait_timeout(st, Duration::from_millis(100))
                    .expect("state")
                    .0;
            }
            let lines: Vec<String> = st
                .events
                .iter()
                .filter(|(rv, _)| *rv > sent)
                .map(|(_, l)| l.clone())
                .collect();
            (lines, st.resource_version)
        };
        let mut chunk = String::new();
        for l in lines {
            chunk.push_str(&l);
            chunk.push('\n');
        }
        if !bookmarked {
            let bookmark = json!({"type": "BOOKMARK", "object": {"apiVersion": "v1",
                "kind": "Namespace", "metadata": {"resourceVersion": rv.to_string()}}});
            chunk.push_str(&bookmark.to_string());
            chunk.push('\n');
            bookmarked = true;
        }
        sent = rv;
        let framed = format!("{:x}\r\n{chunk}\r\n", chunk.len());
        if out
            .write_all(framed.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}
