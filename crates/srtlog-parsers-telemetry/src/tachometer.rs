//! The Tachometer scraper's time series (`../shared/FORMATS-2.md` §7).
