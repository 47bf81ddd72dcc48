//! Layered configuration: built-in defaults, then a TOML file, then `MOTCUA_*` environment
//! variables, then command-line flags.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Deserialize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Clone, Debug)]
pub struct Config {
    /// Address to serve on (`MOTCUA_LISTEN`).
    pub listen: String,
    /// Where the embedded database and uploaded files live (`MOTCUA_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…` (`MOTCUA_DATABASE_URL`); defaults to SQLite in the data dir.
    pub database_url: Option<String>,
    pub log_format: LogFormat,
    /// GSO code of the deployment's province (`52` = Gia Lai from 2025-07-01).
    pub province_code: String,
    /// Level-1 electronic unit code of the province (QCVN 102:2016), e.g. `H21`.
    pub level1_code: String,
    /// Lifetime of API tokens in hours.
    pub token_ttl_hours: i64,
    /// The address citizens and the payment gateway reach motcua at (`MOTCUA_PUBLIC_URL`);
    /// defaults to `http://` + the listen address.
    pub public_url: Option<String>,
    /// VNeID (OpenID Connect) provider: `MOTCUA_OIDC_ISSUER`, `MOTCUA_OIDC_CLIENT_ID`,
    /// `MOTCUA_OIDC_CLIENT_SECRET`; VNeID sign-in is offered when all three are set.
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
    /// The payment gateway's merchant secret (`MOTCUA_PAYMENT_SECRET`); unset: random per start.
    pub payment_secret: Option<String>,
    /// Base URL of the provincial platform's population service (`MOTCUA_POPULATION_URL`); none =
    /// the embedded registry.
    pub population_url: Option<String>,
    /// Per-attempt timeout of population look-ups in milliseconds (`MOTCUA_POPULATION_TIMEOUT_MS`).
    pub population_timeout_ms: u64,
}

/// The file's shape: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    log_format: Option<String>,
    province_code: Option<String>,
    level1_code: Option<String>,
    token_ttl_hours: Option<i64>,
    population_url: Option<String>,
    population_timeout_ms: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./motcua-data"),
            database_url: None,
            log_format: LogFormat::Text,
            province_code: "52".into(),
            level1_code: "H21".into(),
            token_ttl_hours: 12,
            public_url: None,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            payment_secret: None,
            population_url: None,
            population_timeout_ms: 3_000,
        }
    }
}

fn parse_log_format(text: &str) -> anyhow::Result<LogFormat> {
    match text.trim().to_ascii_lowercase().as_str() {
        "text" | "" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        other => bail!("log_format must be text or json, not {other:?}"),
    }
}

impl Config {
    /// Loads the configuration. `file` is the `--config` flag; without it `MOTCUA_CONFIG` names
    /// the file, else `./motcua.toml` is read when present.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let env = |key: &str| std::env::var(key).ok().filter(|v| !v.trim().is_empty());
        let path = file
            .map(Path::to_path_buf)
            .or_else(|| env("MOTCUA_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("motcua.toml")).filter(|p| p.exists()));
        let mut config = Config::default();
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
            let file: FileConfig = toml::from_str(&text)
                .with_context(|| format!("the configuration file {} is not valid", path.display()))?;
            config.apply_file(file)?;
        }
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    fn apply_file(&mut self, f: FileConfig) -> anyhow::Result<()> {
        if let Some(v) = f.listen {
            self.listen = v;
        }
        if let Some(v) = f.data_dir {
            self.data_dir = v;
        }
        if f.database_url.is_some() {
            self.database_url = f.database_url;
        }
        if let Some(v) = f.log_format {
            self.log_format = parse_log_format(&v)?;
        }
        if let Some(v) = f.province_code {
            self.province_code = v;
        }
        if let Some(v) = f.level1_code {
            self.level1_code = v;
        }
        if let Some(v) = f.token_ttl_hours {
            self.token_ttl_hours = v;
        }
        if f.population_url.is_some() {
            self.population_url = f.population_url;
        }
        if let Some(v) = f.population_timeout_ms {
            self.population_timeout_ms = v;
        }
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = env("MOTCUA_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = env("MOTCUA_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("MOTCUA_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = env("MOTCUA_LOG_FORMAT") {
            self.log_format = parse_log_format(&v)?;
        }
        if let Some(v) = env("MOTCUA_PROVINCE_CODE") {
            self.province_code = v;
        }
        if let Some(v) = env("MOTCUA_LEVEL1_CODE") {
            self.level1_code = v;
        }
        if let Some(v) = env("MOTCUA_TOKEN_TTL_HOURS") {
            self.token_ttl_hours = v
                .trim()
                .parse()
                .with_context(|| format!("MOTCUA_TOKEN_TTL_HOURS must be a whole number, not {v:?}"))?;
        }
        if let Some(v) = env("MOTCUA_PUBLIC_URL") {
            self.public_url = Some(v.trim().trim_end_matches('/').to_string());
        }
        if let Some(v) = env("MOTCUA_OIDC_ISSUER") {
            self.oidc_issuer = Some(v.trim().to_string());
        }
        if let Some(v) = env("MOTCUA_OIDC_CLIENT_ID") {
            self.oidc_client_id = Some(v.trim().to_string());
        }
        if let Some(v) = env("MOTCUA_OIDC_CLIENT_SECRET") {
            self.oidc_client_secret = Some(v);
        }
        if let Some(v) = env("MOTCUA_PAYMENT_SECRET") {
            self.payment_secret = Some(v);
        }
        if let Some(v) = env("MOTCUA_POPULATION_URL") {
            self.population_url = Some(v).filter(|u| !u.trim().is_empty());
        }
        if let Some(v) = env("MOTCUA_POPULATION_TIMEOUT_MS") {
            self.population_timeout_ms = v
                .trim()
                .parse()
                .with_context(|| format!("MOTCUA_POPULATION_TIMEOUT_MS must be a whole number, not {v:?}"))?;
        }
        Ok(())
    }

    fn validate(&self) -> anyhow::Result<()> {
        if !(1..=24 * 30).contains(&self.token_ttl_hours) {
            bail!("token_ttl_hours must be between 1 and 720");
        }
        if let Some(url) = &self.population_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                bail!("population_url must be an http:// or https:// URL");
            }
        }
        if !(100..=60_000).contains(&self.population_timeout_ms) {
            bail!("population_timeout_ms must be between 100 and 60000");
        }
        let l1 = self.level1_code.as_bytes();
        if l1.len() != 3 || !l1[0].is_ascii_uppercase() || !l1[1..].iter().all(u8::is_ascii_digit) {
            bail!("level1_code must look like H21 (a capital letter and two digits)");
        }
        if self.province_code.len() != 2 || !self.province_code.bytes().all(|b| b.is_ascii_digit()) {
            bail!("province_code must be a two-digit GSO province code such as 52");
        }
        Ok(())
    }

    /// The database URL in effect: the configured one, else SQLite inside the data dir.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("motcua.sqlite").display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_file_and_defaults() {
        let mut c = Config::default();
        c.apply_file(toml::from_str("listen = \"0.0.0.0:9000\"\nprovince_code = \"64\"").unwrap())
            .unwrap();
        c.apply_env(|k| (k == "MOTCUA_LISTEN").then(|| "127.0.0.1:1".to_string()))
            .unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
        assert_eq!(c.province_code, "64");
        assert!(c.database_url().starts_with("sqlite://"));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
        let mut c = Config::default();
        assert!(c
            .apply_env(|k| (k == "MOTCUA_LOG_FORMAT").then(|| "xml".into()))
            .is_err());
        c.level1_code = "h21".into();
        assert!(c.validate().is_err());
    }
}
