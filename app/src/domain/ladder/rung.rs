//! The five rungs of the ladder, 提示、告知、告诫、公开、专报 (第四条–第八条), and the three
//! severities over them: their stored codes, labels, articles and document words.

use serde::{Deserialize, Serialize};

/// One rung of the ladder, lowest first (the derived order is the ladder's order).
/// Stored as its [`Rung::code`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rung {
    /// 提示 (第四条): a prompt notice naming the problem and the measures suggested.
    Prompt,
    /// 告知 (第五条): a written notification of problems found in supervision.
    Notification,
    /// 告诫 (第六条): an admonition; the unit reports its measures within 15 days (第九条).
    Admonition,
    /// 公开 (第七条): a written circular (书面通报) on a government or department, media
    /// exposure (曝光) of an enterprise.
    Disclosure,
    /// 专报 (第八条): a special report to the principal leader of the issuer's own government.
    SpecialReport,
}

impl Rung {
    pub const ALL: [Rung; 5] = [
        Rung::Prompt,
        Rung::Notification,
        Rung::Admonition,
        Rung::Disclosure,
        Rung::SpecialReport,
    ];

    pub fn code(&self) -> &'static str {
        match self {
            Rung::Prompt => "prompt",
            Rung::Notification => "notification",
            Rung::Admonition => "admonition",
            Rung::Disclosure => "disclosure",
            Rung::SpecialReport => "special_report",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The word of 106号: 提示, 告知, 告诫, 公开, 专报.
    pub fn label_zh(&self) -> &'static str {
        match self {
            Rung::Prompt => "提示",
            Rung::Notification => "告知",
            Rung::Admonition => "告诫",
            Rung::Disclosure => "公开",
            Rung::SpecialReport => "专报",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Rung::Prompt => "prompt",
            Rung::Notification => "written notification",
            Rung::Admonition => "admonition",
            Rung::Disclosure => "public disclosure",
            Rung::SpecialReport => "special report",
        }
    }

    /// The article of 106号 that sets the rung out.
    pub fn article(&self) -> &'static str {
        match self {
            Rung::Prompt => "第四条",
            Rung::Notification => "第五条",
            Rung::Admonition => "第六条",
            Rung::Disclosure => "第七条",
            Rung::SpecialReport => "第八条",
        }
    }

    /// The word in the rung's document number ([`document_number`](super::document_number)):
    /// the name of the document the article issues. 公开 is done by 书面通报 (第七条), so its
    /// documents are 通报.
    pub fn document_word(&self) -> &'static str {
        match self {
            Rung::Prompt => "提示",
            Rung::Notification => "告知",
            Rung::Admonition => "告诫",
            Rung::Disclosure => "通报",
            Rung::SpecialReport => "专报",
        }
    }

    /// The severity the rung belongs to (DOMAIN.md: notice = 提示; warning = 告知, 告诫;
    /// alert = 公开, 专报).
    pub fn severity(&self) -> Severity {
        match self {
            Rung::Prompt => Severity::Notice,
            Rung::Notification | Rung::Admonition => Severity::Warning,
            Rung::Disclosure | Rung::SpecialReport => Severity::Alert,
        }
    }

    /// The rung above, `None` at 专报.
    pub fn next(&self) -> Option<Rung> {
        Self::ALL.get(self.index() as usize).copied()
    }

    /// The rung's place on the ladder, 1 (提示) to 5 (专报).
    pub fn index(&self) -> u8 {
        match self {
            Rung::Prompt => 1,
            Rung::Notification => 2,
            Rung::Admonition => 3,
            Rung::Disclosure => 4,
            Rung::SpecialReport => 5,
        }
    }
}

/// How grave an escalation is: three bands over the five rungs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    /// 提示.
    Notice,
    /// 告知, 告诫.
    Warning,
    /// 公开, 专报.
    Alert,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Notice, Severity::Warning, Severity::Alert];

    pub fn code(&self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Alert => "alert",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The app's own names for the bands (106号 has none).
    pub fn label_zh(&self) -> &'static str {
        match self {
            Severity::Notice => "提示级",
            Severity::Warning => "警告级",
            Severity::Alert => "警报级",
        }
    }

    pub fn label_en(&self) -> &'static str {
        match self {
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Alert => "alert",
        }
    }

    /// The rungs in this band, lowest first.
    pub fn rungs(&self) -> Vec<Rung> {
        Rung::ALL
            .into_iter()
            .filter(|r| r.severity() == *self)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::fixtures::article_text;

    #[test]
    fn rung_and_severity_codes_round_trip_and_unknown_codes_are_rejected() {
        for r in Rung::ALL {
            assert_eq!(Rung::parse(r.code()), Some(r));
        }
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.code()), Some(s));
        }
        assert_eq!(Rung::parse("warning"), None);
        assert_eq!(Severity::parse("prompt"), None);
    }

    #[test]
    fn rungs_climb_from_prompt_to_special_report_one_step_at_a_time() {
        let indexes: Vec<u8> = Rung::ALL.iter().map(Rung::index).collect();
        assert_eq!(indexes, [1, 2, 3, 4, 5]);
        for pair in Rung::ALL.windows(2) {
            assert_eq!(pair[0].next(), Some(pair[1]));
            assert!(pair[0] < pair[1], "the derived order is the ladder's");
        }
        assert_eq!(Rung::SpecialReport.next(), None);
    }

    #[test]
    fn each_rung_cites_its_article_and_the_article_names_it() {
        let articles: Vec<&str> = Rung::ALL.iter().map(Rung::article).collect();
        assert_eq!(articles, ["第四条", "第五条", "第六条", "第七条", "第八条"]);
        for r in Rung::ALL {
            let text = article_text(r.article());
            assert!(
                text.contains(r.label_zh()),
                "{} should speak of {}: {text}",
                r.article(),
                r.label_zh()
            );
        }
        assert!(
            article_text("第七条").contains("书面通报"),
            "公开 is done by 通报"
        );
        assert!(article_text("第二条").contains("提示、告知、告诫、公开、专报"));
    }

    #[test]
    fn severities_group_the_rungs_as_the_domain_notes_say() {
        assert_eq!(Severity::Notice.rungs(), [Rung::Prompt]);
        assert_eq!(
            Severity::Warning.rungs(),
            [Rung::Notification, Rung::Admonition]
        );
        assert_eq!(
            Severity::Alert.rungs(),
            [Rung::Disclosure, Rung::SpecialReport]
        );
    }
}
