//! When relationships hold: periods bounded by partial dates, and the SQL that asks whether a
//! relationship's own period overlaps one.
//!
//! A relationship holds from its `valid_from` to its `valid_to`, both inclusive and each as
//! precise as its sources state it: `2021` to `2021` is the whole of 2021. A missing end is
//! open, so a relationship with no dates holds at every date. Two dates are compared at the
//! precision of the less precise one, so `2021` holds on `2021-06-01`, and a relationship that
//! ends in `2021-06` does not hold in `2021-07`.

use govgraph_entities::PartialDate;
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func};

/// A period from `from` to `to`, both inclusive; an absent end is open.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Period {
    /// The first date of the period, as precise as given.
    pub from: Option<PartialDate>,
    /// The last date of the period, as precise as given.
    pub to: Option<PartialDate>,
}

impl Period {
    /// The period one date names: a day, or the whole month or year it gives.
    pub fn on(date: PartialDate) -> Self {
        Self {
            from: Some(date.clone()),
            to: Some(date),
        }
    }
}

/// `substr(text, 1, length)`: the first `length` characters of `text`.
fn prefix(text: Expr, length: Expr) -> Expr {
    Expr::expr(Func::cust("substr").args([text, Expr::val(1), length]))
}

/// The relationship whose period runs from column expression `valid_from` to `valid_to`
/// overlaps `period`: it starts no later than the period ends and ends no earlier than the
/// period starts, each pair of dates compared at the precision of the less precise.
pub fn overlaps(valid_from: Expr, valid_to: Expr, period: &Period) -> Condition {
    let mut all = Condition::all();
    if let Some(end) = &period.to {
        let end = end.as_str();
        let length = i32::try_from(end.len()).unwrap_or(10);
        all = all.add(
            Condition::any()
                .add(valid_from.clone().is_null())
                .add(prefix(valid_from, Expr::val(length)).lte(end)),
        );
    }
    if let Some(start) = &period.from {
        let length = Expr::expr(Func::cust("length").arg(valid_to.clone()));
        all = all.add(
            Condition::any()
                .add(valid_to.clone().is_null())
                .add(valid_to.gte(prefix(Expr::val(start.as_str()), length))),
        );
    }
    all
}

/// Whether a relationship from `valid_from` to `valid_to` overlaps `period`, as [`overlaps`]
/// asks the database: for tests and for answers computed outside SQL.
pub fn holds_during(
    valid_from: Option<&PartialDate>,
    valid_to: Option<&PartialDate>,
    period: &Period,
) -> bool {
    fn at_precision(text: &str, length: usize) -> &str {
        text.get(..length).unwrap_or(text)
    }
    let starts_in_time = match (valid_from, &period.to) {
        (Some(from), Some(end)) => at_precision(from.as_str(), end.as_str().len()) <= end.as_str(),
        _ => true,
    };
    let ends_in_time = match (valid_to, &period.from) {
        (Some(to), Some(start)) => to.as_str() >= at_precision(start.as_str(), to.as_str().len()),
        _ => true,
    };
    starts_in_time && ends_in_time
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> PartialDate {
        text.parse().expect("a date")
    }

    fn holds_on(from: Option<&str>, to: Option<&str>, on: &str) -> bool {
        holds_during(
            from.map(date).as_ref(),
            to.map(date).as_ref(),
            &Period::on(date(on)),
        )
    }

    #[test]
    fn a_year_holds_on_every_day_of_it() {
        assert!(holds_on(Some("2021"), Some("2021"), "2021-06-01"));
        assert!(holds_on(Some("2021"), Some("2021"), "2021-01-01"));
        assert!(holds_on(Some("2021"), Some("2021"), "2021-12-31"));
        assert!(!holds_on(Some("2021"), Some("2021"), "2020-12-31"));
        assert!(!holds_on(Some("2021"), Some("2021"), "2022-01-01"));
    }

    #[test]
    fn a_relationship_with_no_dates_always_holds() {
        assert!(holds_on(None, None, "1900-01-01"));
        assert!(holds_on(None, Some("2021-06"), "2021-06-30"));
        assert!(!holds_on(None, Some("2021-06"), "2021-07-01"));
        assert!(holds_on(Some("2021-06-15"), None, "2030"));
        assert!(!holds_on(Some("2021-06-15"), None, "2021-05"));
    }

    #[test]
    fn a_partial_date_asked_about_is_the_whole_period_it_names() {
        assert!(holds_on(Some("2021-06-15"), Some("2021-06-20"), "2021"));
        assert!(holds_on(Some("2021-06-15"), Some("2021-06-20"), "2021-06"));
        assert!(!holds_on(Some("2021-06-15"), Some("2021-06-20"), "2021-07"));
    }
}
