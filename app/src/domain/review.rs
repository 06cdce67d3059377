//! The receiving unit's decision on a submitted filing (107号 四、(二): 审核): accept it, or
//! return it with a reason, possibly because it does not match the facts (不符合事实, which
//! 106号 第七条（五） treats as untrue filing).

use serde::{Deserialize, Serialize};

/// A decision on a submitted filing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    /// 受理: the filing stands.
    Accept,
    /// 退回: the filer amends it as a new version.
    Return,
    /// Returned because the filing does not match the facts (106号 第七条（五）).
    ReturnUntrue,
}

impl Decision {
    /// The shortest reason a return needs, in characters.
    pub const MIN_REASON_CHARS: usize = 4;

    /// The stored code of the decision (`filing_review.decision`); an untrue return is a
    /// return with `untrue` set.
    pub fn code(&self) -> &'static str {
        match self {
            Decision::Accept => "accept",
            Decision::Return | Decision::ReturnUntrue => "return",
        }
    }

    /// The decision posted by the review form: `decision=accept|return`, with `untrue` on
    /// (`1` or a checkbox's `on`) for a return because the filing is untrue.
    pub fn parse(decision: &str, untrue: &str) -> Option<Decision> {
        match decision {
            "accept" => Some(Decision::Accept),
            "return" if untrue == "1" || untrue == "on" => Some(Decision::ReturnUntrue),
            "return" => Some(Decision::Return),
            _ => None,
        }
    }

    /// Whether the filing is returned to its filer.
    pub fn returns(&self) -> bool {
        *self != Decision::Accept
    }

    /// Whether a reason of `reason` (trimmed) is enough: a return needs one.
    pub fn reason_suffices(&self, reason: &str) -> bool {
        !self.returns() || reason.trim().chars().count() >= Self::MIN_REASON_CHARS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_posted_decision_is_read_with_its_untrue_mark() {
        assert_eq!(Decision::parse("accept", ""), Some(Decision::Accept));
        assert_eq!(Decision::parse("return", ""), Some(Decision::Return));
        assert_eq!(
            Decision::parse("return", "on"),
            Some(Decision::ReturnUntrue)
        );
        assert_eq!(Decision::parse("return", "1"), Some(Decision::ReturnUntrue));
        assert_eq!(Decision::parse("maybe", ""), None);
        assert_eq!(Decision::parse("", ""), None);
    }

    #[test]
    fn an_untrue_return_is_stored_as_a_return() {
        assert_eq!(Decision::ReturnUntrue.code(), "return");
        assert_eq!(Decision::Return.code(), "return");
        assert_eq!(Decision::Accept.code(), "accept");
    }

    #[test]
    fn a_return_needs_a_reason_and_an_acceptance_does_not() {
        assert!(Decision::Accept.reason_suffices(""));
        assert!(!Decision::Return.reason_suffices("  太短 "));
        assert!(Decision::Return.reason_suffices("第三项不实"));
        assert!(!Decision::ReturnUntrue.reason_suffices(""));
    }
}
