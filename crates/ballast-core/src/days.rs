//! Calendar days as plain integers (days since 1970-01-01, proleptic Gregorian), for the
//! loops over thousands of days that signals and charts make: no allocation, no errors.

use jiff::civil::Date;

/// Days since 1970-01-01 (proleptic Gregorian), so that day arithmetic is plain integers.
pub fn day_number(date: Date) -> i32 {
    let (month, day) = (i32::from(date.month()), i32::from(date.day()));
    let year = i32::from(date.year()) - i32::from(month <= 2);
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`day_number`]; `None` outside jiff's supported years.
pub fn date_from_number(n: i32) -> Option<Date> {
    let z = n + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i32::from(month <= 2);
    Date::new(i16::try_from(year).ok()?, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn day_numbers_match_jiff(n in -40_000i32..40_000) {
            let date = date_from_number(n).unwrap();
            prop_assert_eq!(day_number(date), n);
            let epoch = jiff::civil::date(1970, 1, 1);
            prop_assert_eq!(epoch.until(date).unwrap().get_days(), n);
        }
    }
}
