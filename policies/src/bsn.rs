//! The burgerservicenummer: nine digits that pass the 11-proef. A [`Bsn`] cannot hold anything else,
//! and its `Debug` output never shows the number (it must stay out of logs).

use std::fmt;

/// A valid BSN. Use [`Bsn::expose`] only where the law allows the number itself (the forward to a
/// source system, the pseudonym function); everywhere else pass the pseudonym.
#[derive(Clone, PartialEq, Eq)]
pub struct Bsn(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BsnError {
    #[error("a BSN has exactly nine digits")]
    Format,
    #[error("this number fails the 11-proef, so it is not a BSN")]
    Checksum,
}

impl Bsn {
    pub fn parse(input: &str) -> Result<Self, BsnError> {
        let digits: Vec<u32> = input.chars().map_while(|c| c.to_digit(10)).collect();
        if digits.len() != 9 || input.len() != 9 {
            return Err(BsnError::Format);
        }
        // 11-proef: 9*d1 + 8*d2 + ... + 2*d8 - 1*d9 must be a multiple of 11 (and not zero).
        let weighted: i64 = digits
            .iter()
            .zip([9i64, 8, 7, 6, 5, 4, 3, 2, -1])
            .map(|(d, w)| i64::from(*d) * w)
            .sum();
        if weighted == 0 || weighted % 11 != 0 {
            return Err(BsnError::Checksum);
        }
        Ok(Self(input.to_owned()))
    }

    /// The digits themselves. Every call site is a place where the plain BSN leaves this type.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Bsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bsn([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_that_passes_the_11_proef_is_a_bsn() {
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("123456782").is_ok());
    }

    #[test]
    fn a_number_that_fails_the_11_proef_is_refused() {
        assert_eq!(Bsn::parse("123456789"), Err(BsnError::Checksum));
    }

    #[test]
    fn all_zeroes_is_not_a_bsn_even_though_its_sum_is_zero() {
        assert_eq!(Bsn::parse("000000000"), Err(BsnError::Checksum));
    }

    #[test]
    fn wrong_length_letters_and_spaces_are_refused() {
        for bad in [
            "",
            "12345678",
            "1234567890",
            "12345678a",
            " 11122233",
            "111 22333",
            "１１１222333",
        ] {
            assert_eq!(Bsn::parse(bad), Err(BsnError::Format), "{bad:?}");
        }
    }

    #[test]
    fn debug_output_never_shows_the_number() {
        let bsn = Bsn::parse("111222333").unwrap();
        assert!(!format!("{bsn:?}").contains("111222333"));
    }
}
