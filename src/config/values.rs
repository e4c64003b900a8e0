//! Values of the configuration parsed once, as it is read: a time zone, a cron
//! expression, report kinds, addresses and URLs arrive in `Config` as their types, and a
//! bad one is an error that names its key (figment prefixes the key's path and where its
//! value came from). Nothing downstream parses them again.

use std::{fmt, net::SocketAddr};

use chrono_tz::Tz;
use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

/// An IANA time zone (`UTC`, `Europe/Paris`), read from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Zone(pub Tz);

impl Zone {
    /// The zone's IANA name.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl Default for Zone {
    fn default() -> Self {
        Self(Tz::UTC)
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Zone {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Zone {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map(Self).map_err(|_| {
            D::Error::custom(format!(
                "{name:?} is not an IANA time zone such as UTC or Europe/Paris"
            ))
        })
    }
}

/// A cron expression: 5 fields, or 6 with seconds first.
#[derive(Clone)]
pub struct CronExpr {
    text: String,
    cron: croner::Cron,
}

impl CronExpr {
    /// Parses `text`; the error says why it is not a cron expression.
    pub fn parse(text: &str) -> Result<Self, String> {
        croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Optional)
            .build()
            .parse(text)
            .map(|cron| Self {
                text: text.to_owned(),
                cron,
            })
            .map_err(|e| format!("{text:?} is not a cron expression: {e}"))
    }

    /// The parsed schedule.
    pub fn cron(&self) -> &croner::Cron {
        &self.cron
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Debug for CronExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CronExpr").field(&self.text).finish()
    }
}

impl PartialEq for CronExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Serialize for CronExpr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for CronExpr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(D::Error::custom)
    }
}

/// `IP:PORT`, or the empty string for none (what the example file and older configs
/// write): `#[serde(with = "values::optional_addr")]`.
pub mod optional_addr {
    use super::*;

    pub fn serialize<S: Serializer>(
        addr: &Option<SocketAddr>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match addr {
            Some(addr) => serializer.collect_str(addr),
            None => serializer.serialize_str(""),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<SocketAddr>, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        text.trim().parse().map(Some).map_err(|_| {
            D::Error::custom(format!("{text:?} is not IP:PORT, e.g. \"127.0.0.1:8443\""))
        })
    }
}

/// A URL, or the empty string for none: `#[serde(with = "values::optional_url")]`.
pub mod optional_url {
    use super::*;

    pub fn serialize<S: Serializer>(
        url: &Option<url::Url>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(url.as_ref().map_or("", url::Url::as_str))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<url::Url>, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        url::Url::parse(text.trim())
            .map(Some)
            .map_err(|e| D::Error::custom(format!("{text:?} is not a URL: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    struct Sample {
        zone: Zone,
        cron: CronExpr,
        #[serde(with = "optional_addr")]
        addr: Option<SocketAddr>,
        #[serde(with = "optional_url")]
        url: Option<url::Url>,
    }

    fn read(text: &str) -> Result<Sample, String> {
        toml::from_str(text).map_err(|e| e.message().to_owned())
    }

    #[test]
    fn values_are_parsed_once_and_written_back_as_read() -> Result<(), String> {
        let text = "zone = \"Europe/Paris\"\ncron = \"0 3 * * *\"\naddr = \"127.0.0.1:8443\"\nurl = \"\"\n";
        let sample = read(text)?;
        assert_eq!(sample.zone.name(), "Europe/Paris");
        assert_eq!(sample.cron.as_str(), "0 3 * * *");
        assert_eq!(sample.addr, Some(SocketAddr::from(([127, 0, 0, 1], 8443))));
        assert_eq!(sample.url, None);
        let back = toml::to_string(&sample).map_err(|e| e.to_string())?;
        assert_eq!(read(&back)?, sample);
        Ok(())
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        let good = [
            "zone = \"UTC\"",
            "cron = \"0 3 * * *\"",
            "addr = \"\"",
            "url = \"\"",
        ];
        for (i, bad, expected) in [
            (
                0,
                "zone = \"Mars/Olympus\"",
                "\"Mars/Olympus\" is not an IANA time zone",
            ),
            (
                1,
                "cron = \"every night\"",
                "\"every night\" is not a cron expression",
            ),
            (2, "addr = \"localhost\"", "\"localhost\" is not IP:PORT"),
            (3, "url = \"not a url\"", "\"not a url\" is not a URL"),
        ] {
            let mut lines = good.map(str::to_owned);
            lines[i] = bad.to_owned();
            let got = read(&lines.join("\n"))
                .map(|_| String::new())
                .unwrap_or_else(|e| e);
            assert!(
                got.starts_with(expected),
                "{got:?} should start with {expected:?}"
            );
        }
    }
}
