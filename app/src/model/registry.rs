//! A registry file's check or import as the registry page shows it (issue 14).

use crate::domain::registry::LineProblem;
use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// The most problems a page lists; the rest are counted.
pub const SHOWN_PROBLEMS: usize = 500;

/// Where an uploaded registry file stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistryJob {
    /// Being read and checked against the registry.
    Checking,
    /// Checked: what an import would do, or the problems that stop it.
    Checked {
        file_name: String,
        rows: usize,
        add: usize,
        update: usize,
        unchanged: usize,
        problems: Vec<LineProblem>,
        more_problems: usize,
    },
    /// Being imported: `done` of `total` enterprises written.
    Importing { done: usize, total: usize },
    /// Imported, in one transaction.
    Imported(Imported),
    /// The registry changed between the check and the import, so that rows now have problems:
    /// nothing was imported.
    Refused {
        problems: Vec<LineProblem>,
        more_problems: usize,
    },
    /// Failed: nothing was imported.
    Failed(AppError),
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub rows: usize,
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

impl RegistryJob {
    /// Whether the page should look again shortly.
    pub fn running(&self) -> bool {
        matches!(self, RegistryJob::Checking | RegistryJob::Importing { .. })
    }
}

/// The first [`SHOWN_PROBLEMS`] problems, and how many more there are.
pub fn shown(mut problems: Vec<LineProblem>) -> (Vec<LineProblem>, usize) {
    let more = problems.len().saturating_sub(SHOWN_PROBLEMS);
    problems.truncate(SHOWN_PROBLEMS);
    (problems, more)
}
