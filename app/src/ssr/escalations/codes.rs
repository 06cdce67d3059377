//! Columns decoded where the row is read: a code into its enum (each enum has one database
//! code, its `code()`), JSON text into its value, a stored date into a date. A value that does
//! not decode is a decoding error, which the caller's `?` turns into `AppError::Internal` with
//! the cause logged once: a row is never silently left out.
//!
//! Used in `#[derive(sqlx::FromRow)]` structs as `#[sqlx(try_from = "Code<Rung>")]` (the field
//! is then the enum itself), or as `Option<Code<T>>` for a nullable column.

use crate::domain::ladder::{Reason, Rung};
use crate::domain::unit::UnitKind;
use crate::model::escalation::{
    EscalationOrigin, EscalationStatus, ResponseDecision, ResponseKind,
};
use chrono::NaiveDate;
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;

/// An enum stored as its code.
pub(super) trait DbCode: Sized {
    /// What the code is, for the error message.
    const WHAT: &'static str;
    fn from_code(code: &str) -> Option<Self>;
}

/// A text column decoded through `T::from_code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Code<T>(pub(super) T);

impl<T> Code<T> {
    pub(super) fn into_inner(self) -> T {
        self.0
    }
}

/// A text column as text, whatever it is decoded into.
macro_rules! text_column {
    ($ty:ty) => {
        fn type_info() -> AnyTypeInfo {
            <String as sqlx::Type<Any>>::type_info()
        }
        fn compatible(ty: &AnyTypeInfo) -> bool {
            <String as sqlx::Type<Any>>::compatible(ty)
        }
    };
}

impl<T> sqlx::Type<Any> for Code<T> {
    text_column!(Code<T>);
}

impl<'r, T: DbCode> sqlx::Decode<'r, Any> for Code<T> {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let code = <String as sqlx::Decode<'r, Any>>::decode(value)?;
        T::from_code(&code)
            .map(Code)
            .ok_or_else(|| format!("unknown {} code {code:?}", T::WHAT).into())
    }
}

macro_rules! db_codes {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl DbCode for $ty {
            const WHAT: &'static str = $what;
            fn from_code(code: &str) -> Option<Self> {
                <$ty>::parse(code)
            }
        }
        impl From<Code<$ty>> for $ty {
            fn from(code: Code<$ty>) -> Self {
                code.0
            }
        }
    )*};
}

db_codes!(
    EscalationStatus => "escalation status",
    EscalationOrigin => "escalation origin",
    Rung => "rung",
    UnitKind => "unit kind",
    ResponseKind => "response kind",
    ResponseDecision => "response decision",
);

/// The findings of an escalation, stored as JSON text (`evidence_json`).
pub(super) struct Evidence(Vec<Reason>);

impl sqlx::Type<Any> for Evidence {
    text_column!(Evidence);
}

impl<'r> sqlx::Decode<'r, Any> for Evidence {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as sqlx::Decode<'r, Any>>::decode(value)?;
        Ok(Evidence(serde_json::from_str(&text)?))
    }
}

impl From<Evidence> for Vec<Reason> {
    fn from(evidence: Evidence) -> Self {
        evidence.0
    }
}

/// A Kunming date stored as `YYYY-MM-DD`.
pub(super) struct Date(NaiveDate);

impl sqlx::Type<Any> for Date {
    text_column!(Date);
}

impl<'r> sqlx::Decode<'r, Any> for Date {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let text = <String as sqlx::Decode<'r, Any>>::decode(value)?;
        Ok(Date(NaiveDate::parse_from_str(&text, "%Y-%m-%d")?))
    }
}

impl From<Date> for NaiveDate {
    fn from(date: Date) -> Self {
        date.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_reads_back_as_its_enum() {
        for s in EscalationStatus::ALL {
            assert_eq!(EscalationStatus::from_code(s.code()), Some(s));
        }
        for o in EscalationOrigin::ALL {
            assert_eq!(EscalationOrigin::from_code(o.code()), Some(o));
        }
        for r in Rung::ALL {
            assert_eq!(Rung::from_code(r.code()), Some(r));
        }
        for k in ResponseKind::ALL {
            assert_eq!(ResponseKind::from_code(k.code()), Some(k));
        }
        for d in ResponseDecision::ALL {
            assert_eq!(ResponseDecision::from_code(d.code()), Some(d));
        }
        assert_eq!(EscalationStatus::from_code("Issued"), None);
    }

    #[test]
    fn codes_serialize_as_stored() {
        // The pages receive the same words the database holds.
        for o in EscalationOrigin::ALL {
            assert_eq!(serde_json::to_value(o).unwrap(), o.code());
        }
        for k in ResponseKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.code());
        }
        for d in ResponseDecision::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.code());
        }
    }

    #[derive(Debug, sqlx::FromRow)]
    struct Probe {
        #[sqlx(try_from = "Code<Rung>")]
        rung: Rung,
        decision: Option<Code<ResponseDecision>>,
        #[sqlx(try_from = "Date")]
        on: NaiveDate,
        #[sqlx(try_from = "Evidence")]
        evidence: Vec<Reason>,
    }

    #[tokio::test]
    async fn a_row_decodes_into_enums_and_an_unknown_code_is_an_error() {
        sqlx::any::install_default_drivers();
        let db = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        let probe: Probe = sqlx::query_as(
            "SELECT 'admonition' AS rung, NULL AS decision, '2027-03-04' AS \"on\", '[]' AS evidence",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(probe.rung, Rung::Admonition);
        assert!(probe.decision.is_none());
        assert_eq!(probe.on, NaiveDate::from_ymd_opt(2027, 3, 4).unwrap());
        assert!(probe.evidence.is_empty());
        let probe: Probe = sqlx::query_as(
            "SELECT 'prompt' AS rung, 'more_requested' AS decision, '2027-03-04' AS \"on\", '[]' AS evidence",
        )
        .fetch_one(&db)
        .await
        .unwrap();
        assert_eq!(
            probe.decision.map(Code::into_inner),
            Some(ResponseDecision::MoreRequested)
        );
        for bad in [
            "SELECT 'warning' AS rung, NULL AS decision, '2027-03-04' AS \"on\", '[]' AS evidence",
            "SELECT 'prompt' AS rung, 'maybe' AS decision, '2027-03-04' AS \"on\", '[]' AS evidence",
            "SELECT 'prompt' AS rung, NULL AS decision, '4 March' AS \"on\", '[]' AS evidence",
            "SELECT 'prompt' AS rung, NULL AS decision, '2027-03-04' AS \"on\", '{' AS evidence",
        ] {
            let got = sqlx::query_as::<_, Probe>(bad).fetch_one(&db).await;
            assert!(
                matches!(got, Err(sqlx::Error::ColumnDecode { .. })),
                "{bad}: {got:?}"
            );
        }
    }
}
