//! Dates known to a year, a month or a day.

use std::fmt;
use std::str::FromStr;

use sea_orm::DeriveValueType;

/// A calendar date known only as precisely as its source states it: `2021`, `2021-06` or
/// `2021-06-30`. Stored as that text; the text orders chronologically within one precision.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, DeriveValueType)]
pub struct PartialDate(String);

/// Why a text is not a [`PartialDate`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a date: expected YYYY, YYYY-MM or YYYY-MM-DD")]
pub struct PartialDateError(String);

impl PartialDate {
    /// The date as stored: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this date, as the end of a period, does not fall before `start`: compared at
    /// this date's precision, as the database's check does, so `2021` ends no earlier than
    /// `2021-06` starts.
    pub fn is_not_before(&self, start: &PartialDate) -> bool {
        let precision = self.0.len().min(start.0.len());
        self.0.as_str() >= start.0.get(..precision).unwrap_or(&start.0)
    }

    /// The year the date falls in.
    pub fn year(&self) -> i32 {
        self.0
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or_default()
    }
}

impl FromStr for PartialDate {
    type Err = PartialDateError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || PartialDateError(text.to_owned());
        let mut parts = text.split('-');
        let year = parts.next().ok_or_else(invalid)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        let year: i32 = year.parse().map_err(|_| invalid())?;
        let month = parts.next();
        let day = parts.next();
        if parts.next().is_some() {
            return Err(invalid());
        }
        let two_digits = |s: &str| {
            (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse::<u32>().ok())
                .flatten()
        };
        match (month, day) {
            (None, _) => {}
            (Some(m), None) => {
                let m = two_digits(m).ok_or_else(invalid)?;
                if !(1..=12).contains(&m) {
                    return Err(invalid());
                }
            }
            (Some(m), Some(d)) => {
                let (m, d) = (
                    two_digits(m).ok_or_else(invalid)?,
                    two_digits(d).ok_or_else(invalid)?,
                );
                chrono::NaiveDate::from_ymd_opt(year, m, d).ok_or_else(invalid)?;
            }
        }
        Ok(Self(text.to_owned()))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_a_month_and_a_day_are_all_dates() {
        for text in ["2021", "2021-06", "2024-02-29"] {
            assert_eq!(
                text.parse::<PartialDate>().map(|d| d.to_string()),
                Ok(text.to_owned())
            );
        }
        assert_eq!("2021-06".parse::<PartialDate>().map(|d| d.year()), Ok(2021));
    }

    #[test]
    fn an_end_is_compared_with_a_start_at_its_own_precision() {
        let date = |text: &str| text.parse::<PartialDate>().expect("a date");
        assert!(date("2021").is_not_before(&date("2021-06")));
        assert!(date("2021-06-30").is_not_before(&date("2021-06")));
        assert!(!date("2021-05").is_not_before(&date("2021-06-01")));
        assert!(!date("2020").is_not_before(&date("2021")));
    }

    #[test]
    fn malformed_or_impossible_dates_are_rejected() {
        for text in [
            "",
            "21",
            "2021-6",
            "2021-13",
            "2023-02-29",
            "2021-06-30-1",
            "20x1",
            "2021-06-",
        ] {
            assert!(text.parse::<PartialDate>().is_err(), "{text} was accepted");
        }
    }
}
