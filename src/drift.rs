//! `connect-scim drift [--json]`: which SCIM-managed agents someone changed in
//! Amazon Connect behind the identity provider's back (the fields whose value
//! no longer matches the `scim:digest` SCIM wrote), which Connect users SCIM
//! does not manage, and which managed users hold or are to be restored to a
//! security profile that no longer exists.
//!
//! One SearchUsers per 500 users plus one ListSecurityProfiles, through the
//! same rate limiter as the service. Exit code 0 when clean, 1 when drift was
//! found (changed fields or missing profiles; unmanaged users are listed but
//! are not drift), 2 on error.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::connect::{Connect, PhoneConfig, UserSearch, UserSummary};
use crate::http::App;
use crate::provisioning::agent::AgentState;
use crate::provisioning::digest::{DIGEST, Written};

/// SearchUsers' largest page.
const PAGE: i32 = 500;

/// A user, as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRef {
    pub id: String,
    pub username: String,
}

/// A managed user whose fields changed outside SCIM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    #[serde(flatten)]
    pub user: UserRef,
    pub fields: Vec<&'static str>,
}

/// A managed user naming security profiles that no longer exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingProfiles {
    #[serde(flatten)]
    pub user: UserRef,
    pub profile_ids: Vec<String>,
}

/// What `drift` found, and what it cost.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub changed: Vec<Changed>,
    pub unmanaged: Vec<UserRef>,
    pub missing_profiles: Vec<MissingProfiles>,
    /// Managed users without a digest (provisioned before digests existed).
    pub without_digest: Vec<UserRef>,
    pub users_scanned: usize,
    pub connect_calls: u32,
    pub seconds: f64,
}

impl Report {
    /// Whether anything counts as drift (the exit code's 1).
    pub fn drifted(&self) -> bool {
        !self.changed.is_empty() || !self.missing_profiles.is_empty()
    }

    /// The report as text, one line per finding.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for c in &self.changed {
            out += &format!(
                "changed outside SCIM: {} ({}): {}\n",
                c.user.username,
                c.user.id,
                c.fields.join(", ")
            );
        }
        for m in &self.missing_profiles {
            out += &format!(
                "security profile gone: {} ({}): {}\n",
                m.user.username,
                m.user.id,
                m.profile_ids.join(", ")
            );
        }
        for u in &self.unmanaged {
            out += &format!("not managed by SCIM: {} ({})\n", u.username, u.id);
        }
        for u in &self.without_digest {
            out += &format!(
                "managed, no digest yet (written before drift reports; the next SCIM write records one): {} ({})\n",
                u.username, u.id
            );
        }
        out += &format!(
            "{} users: {} changed, {} with missing profiles, {} not managed by SCIM; {} Connect calls in {:.1} s\n",
            self.users_scanned,
            self.changed.len(),
            self.missing_profiles.len(),
            self.unmanaged.len(),
            self.connect_calls,
            self.seconds
        );
        out
    }
}

/// The report as log events: one per finding (`drift=true`, `kind`, the
/// user's id and username, the fields), then a summary. For the scheduled run,
/// whose output is the function's log.
pub fn log(report: &Report) {
    for c in &report.changed {
        tracing::warn!(drift = true, kind = "changed", user_id = %c.user.id, username = %c.user.username, fields = %c.fields.join(","), "changed outside SCIM");
    }
    for m in &report.missing_profiles {
        tracing::warn!(drift = true, kind = "missing_profiles", user_id = %m.user.id, username = %m.user.username, profile_ids = %m.profile_ids.join(","), "security profile gone");
    }
    for u in &report.unmanaged {
        tracing::info!(drift = true, kind = "unmanaged", user_id = %u.id, username = %u.username, "not managed by SCIM");
    }
    tracing::info!(
        drift = true,
        kind = "summary",
        users = report.users_scanned,
        changed = report.changed.len(),
        missing_profiles = report.missing_profiles.len(),
        unmanaged = report.unmanaged.len(),
        connect_calls = report.connect_calls,
        seconds = report.seconds,
        "drift report"
    );
}

/// What one user contributes to the report.
fn classify(user: &UserSummary, profiles: &[String], report: &mut Report) {
    let who = UserRef {
        id: user.id.clone(),
        username: user.username.clone(),
    };
    let state = AgentState::of_summary(user);
    if !state.managed {
        report.unmanaged.push(who);
        return;
    }
    let mut named: Vec<String> = user.security_profile_ids.clone();
    named.extend(state.profile_ids.iter().cloned());
    named.sort();
    named.dedup();
    let gone: Vec<String> = named
        .into_iter()
        .filter(|id| !profiles.contains(id))
        .collect();
    if !gone.is_empty() {
        report.missing_profiles.push(MissingProfiles {
            user: who.clone(),
            profile_ids: gone,
        });
    }
    let default_phone = PhoneConfig::default();
    match user.tags.get(DIGEST) {
        None => report.without_digest.push(who),
        Some(tag) => {
            let fields = Written::of_summary(user, &default_phone).drifted(tag);
            if !fields.is_empty() {
                report.changed.push(Changed { user: who, fields });
            }
        }
    }
}

/// A progress line on stderr, only on a terminal.
struct Progress {
    on: bool,
}

impl Progress {
    fn show(&self, scanned: usize, total: Option<i64>) {
        if !self.on {
            return;
        }
        let line = match total {
            Some(t) if t > 0 => {
                let done = (scanned as f64 / t as f64).min(1.0);
                let filled = (done * 30.0) as usize;
                format!(
                    "\r[{}{}] {scanned}/{t} users",
                    "#".repeat(filled),
                    "-".repeat(30 - filled)
                )
            }
            _ => format!("\r{scanned} users"),
        };
        let mut err = std::io::stderr();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }

    fn done(&self) {
        if self.on {
            let _ = std::io::stderr().write_all(b"\n");
        }
    }
}

/// Walks every Connect user of the instance and reports drift.
pub async fn run(app: &App) -> anyhow::Result<Report> {
    let started = Instant::now();
    let progress = Progress {
        on: std::io::stderr().is_terminal(),
    };
    let mut report = Report::default();
    let mut calls = 0;
    let cx = app
        .gateway
        .session(tokio::time::Instant::now() + Duration::from_secs(60));
    app.provisioning.cache.invalidate_security_profiles();
    let profiles: Vec<String> = app
        .provisioning
        .cache
        .security_profiles(&cx)
        .await?
        .iter()
        .map(|p| p.id.clone())
        .collect();
    calls += cx.calls();
    let mut token = None;
    loop {
        // A session per page: each page waits for its own slot.
        let cx = app
            .gateway
            .session(tokio::time::Instant::now() + Duration::from_secs(60));
        let page = cx
            .search_users(&UserSearch {
                max_results: Some(PAGE),
                next_token: token.clone(),
                ..UserSearch::default()
            })
            .await?;
        calls += cx.calls();
        for user in &page.items {
            classify(user, &profiles, &mut report);
        }
        report.users_scanned += page.items.len();
        progress.show(report.users_scanned, page.approximate_total);
        match page.next_token {
            Some(next) if !page.items.is_empty() => token = Some(next),
            _ => break,
        }
    }
    progress.done();
    report.connect_calls = calls;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
