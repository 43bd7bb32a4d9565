//! Shared mutable state of one testbed instance: toggles, request log, sessions, stored data.

use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};

/// Most requests kept in the log; the counter keeps counting past it.
const LOG_CAP: usize = 100_000;
/// Most entries kept per stored list (guestbook, reviews).
pub(crate) const STORED_CAP: usize = 50;
/// Most uploaded files kept.
pub(crate) const UPLOAD_CAP: usize = 200;

/// One request the testbed received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// 1-based arrival number.
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Whether it came through the HTTPS listener.
    pub tls: bool,
}

#[derive(Default)]
struct RequestLog {
    count: u64,
    entries: VecDeque<RequestRecord>,
}

/// A logged-in user of the `/account/` area.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub user: String,
    pub csrf_token: String,
}

/// A guestbook or review entry.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub name: String,
    pub text: String,
}

pub(crate) type Shared = Arc<AppState>;

/// Everything one instance shares between its handlers.
pub(crate) struct AppState {
    fixed: RwLock<HashSet<String>>,
    log: Mutex<RequestLog>,
    pub sessions: Mutex<HashMap<String, Session>>,
    pub next_session: AtomicU64,
    pub guestbook: Mutex<VecDeque<Entry>>,
    pub reviews: Mutex<VecDeque<Entry>>,
    /// Wishes of the partner area's birthday wall and notes of its notice board.
    pub wishes: Mutex<VecDeque<Entry>>,
    pub notes: Mutex<VecDeque<Entry>>,
    pub uploads: Mutex<HashMap<String, Vec<u8>>>,
    pub photos: Mutex<HashMap<String, Vec<u8>>>,
    pub dav: Mutex<HashMap<String, Vec<u8>>>,
    pub profile: Mutex<HashMap<String, String>>,
    pub prefs: Mutex<HashMap<String, String>>,
    /// Token the preferences form carries once its CSRF case is fixed.
    pub site_token: String,
    pub http_base: OnceLock<String>,
    pub https_base: OnceLock<String>,
    pub outside: Option<String>,
    pub client: reqwest::Client,
    pub visitors: AtomicU64,
    /// Signed-in sessions of the staff back office (`pages/staff.rs`).
    pub staff_sessions: Mutex<HashSet<String>>,
    /// Failed partner sign-ins (the partner back office locks after a few).
    pub partner_failures: AtomicU64,
    /// Browser names of recent visits to the promotion and event pages.
    pub promo_visits: Mutex<VecDeque<String>>,
    pub event_visits: Mutex<VecDeque<String>>,
}

/// Locks a mutex, going on with the data if a panicking handler poisoned it (the data are plain
/// values that stay consistent).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl AppState {
    pub fn new(outside: Option<String>, client: reqwest::Client) -> Self {
        Self {
            fixed: RwLock::default(),
            log: Mutex::default(),
            sessions: Mutex::default(),
            next_session: AtomicU64::new(0x5f3a_1000),
            guestbook: Mutex::new(VecDeque::from([Entry {
                name: "Mia".into(),
                text: "Lovely shop, fast delivery!".into(),
            }])),
            reviews: Mutex::new(VecDeque::from([Entry {
                name: "Tom".into(),
                text: "The tent kept me dry for a week.".into(),
            }])),
            wishes: Mutex::new(VecDeque::from([Entry {
                name: String::new(),
                text: "Happy birthday, Jo!".into(),
            }])),
            notes: Mutex::new(VecDeque::from([Entry {
                name: String::new(),
                text: "Trail cleanup on Saturday.".into(),
            }])),
            uploads: Mutex::default(),
            photos: Mutex::default(),
            dav: Mutex::default(),
            profile: Mutex::default(),
            prefs: Mutex::default(),
            site_token: crate::html::random_hex(16),
            http_base: OnceLock::new(),
            https_base: OnceLock::new(),
            outside,
            client,
            visitors: AtomicU64::new(4000),
            staff_sessions: Mutex::default(),
            partner_failures: AtomicU64::new(0),
            promo_visits: Mutex::default(),
            event_visits: Mutex::default(),
        }
    }

    /// Whether the vulnerable behaviour of `case_id` is on (it is unless fixed).
    pub fn vulnerable(&self, case_id: &str) -> bool {
        debug_assert!(crate::manifest::is_case(case_id), "unknown case {case_id}");
        !self
            .fixed
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(case_id)
    }

    pub fn set_fixed(&self, case_id: &str, fixed: bool) {
        let mut set = self.fixed.write().unwrap_or_else(PoisonError::into_inner);
        if fixed {
            set.insert(case_id.to_owned());
        } else {
            set.remove(case_id);
        }
    }

    pub fn record(&self, method: &str, path: &str, query: Option<&str>, tls: bool) {
        let mut log = lock(&self.log);
        log.count += 1;
        let seq = log.count;
        if log.entries.len() == LOG_CAP {
            log.entries.pop_front();
        }
        log.entries.push_back(RequestRecord {
            seq,
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            tls,
        });
    }

    pub fn requests(&self) -> (u64, Vec<RequestRecord>) {
        let log = lock(&self.log);
        (log.count, log.entries.iter().cloned().collect())
    }

    pub fn request_count(&self) -> u64 {
        lock(&self.log).count
    }

    pub fn clear_requests(&self) {
        let mut log = lock(&self.log);
        log.count = 0;
        log.entries.clear();
    }

    pub fn new_session_id(&self, predictable: bool) -> String {
        if predictable {
            format!("{:x}", self.next_session.fetch_add(1, Ordering::Relaxed))
        } else {
            crate::html::random_hex(16)
        }
    }

    pub fn base(&self) -> &str {
        self.http_base.get().map(String::as_str).unwrap_or("")
    }

    pub fn https_base(&self) -> Option<&str> {
        self.https_base.get().map(String::as_str)
    }
}

/// Pushes to a bounded list, dropping the oldest.
pub(crate) fn push_capped(list: &Mutex<VecDeque<Entry>>, entry: Entry) {
    let mut l = lock(list);
    if l.len() >= STORED_CAP {
        l.pop_front();
    }
    l.push_back(entry);
}
