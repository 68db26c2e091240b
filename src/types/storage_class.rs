//! Storage classes (docs/storage-classes.md): the COS names, the S3 names accepted as aliases
//! in the S3 dialect, and the names each dialect shows. Pure; no IO.
//!
//! Records keep the class as its COS name (a `String`, as every record written before this
//! type existed does); [`StorageClass::of_stored`] reads it back.

/// A storage class cosd stores. The data is stored identically whatever the class; the archive
/// classes are not readable until restored (`service::archive`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageClass {
    Standard,
    StandardIa,
    IntelligentTiering,
    Archive,
    DeepArchive,
    MazStandard,
    MazStandardIa,
    MazIntelligentTiering,
    /// Multi-AZ archive: not among the seeds' eight names, but accepted by cosd before this
    /// type existed (records may hold it); treated as an archive class.
    MazArchive,
}

/// The dialect a class name is read from or written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassDialect {
    Cos,
    S3,
}

/// A class name the request's dialect does not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownStorageClass(pub String);

const ALL: [StorageClass; 9] = [
    StorageClass::Standard,
    StorageClass::StandardIa,
    StorageClass::IntelligentTiering,
    StorageClass::Archive,
    StorageClass::DeepArchive,
    StorageClass::MazStandard,
    StorageClass::MazStandardIa,
    StorageClass::MazIntelligentTiering,
    StorageClass::MazArchive,
];

impl StorageClass {
    /// The COS name, as stored on records and shown to COS clients.
    pub fn as_str(self) -> &'static str {
        match self {
            StorageClass::Standard => "STANDARD",
            StorageClass::StandardIa => "STANDARD_IA",
            StorageClass::IntelligentTiering => "INTELLIGENT_TIERING",
            StorageClass::Archive => "ARCHIVE",
            StorageClass::DeepArchive => "DEEP_ARCHIVE",
            StorageClass::MazStandard => "MAZ_STANDARD",
            StorageClass::MazStandardIa => "MAZ_STANDARD_IA",
            StorageClass::MazIntelligentTiering => "MAZ_INTELLIGENT_TIERING",
            StorageClass::MazArchive => "MAZ_ARCHIVE",
        }
    }

    /// The name an S3 client is shown: S3's name where S3 has the class (ARCHIVE is S3's
    /// GLACIER, so a boto3 user who wrote GLACIER reads GLACIER back), else the COS name.
    pub fn s3_name(self) -> &'static str {
        match self {
            StorageClass::Archive => "GLACIER",
            other => other.as_str(),
        }
    }

    /// The name shown in `dialect`.
    pub fn display(self, dialect: ClassDialect) -> &'static str {
        match dialect {
            ClassDialect::Cos => self.as_str(),
            ClassDialect::S3 => self.s3_name(),
        }
    }

    /// A class as a request names it (case-insensitive, surrounding blanks ignored). Both
    /// dialects take the COS names; the S3 dialect also takes `GLACIER` (= ARCHIVE). The S3
    /// classes with no COS counterpart (GLACIER_IR, ONEZONE_IA, REDUCED_REDUNDANCY,
    /// EXPRESS_ONEZONE, OUTPOSTS, SNOW) are refused rather than stored under another name
    /// that would read back differently.
    pub fn parse(raw: &str, dialect: ClassDialect) -> Result<StorageClass, UnknownStorageClass> {
        let up = raw.trim().to_ascii_uppercase();
        if let Some(c) = ALL.iter().copied().find(|c| c.as_str() == up) {
            return Ok(c);
        }
        match (dialect, up.as_str()) {
            (ClassDialect::S3, "GLACIER") => Ok(StorageClass::Archive),
            _ => Err(UnknownStorageClass(raw.to_string())),
        }
    }

    /// The class of a stored record (its COS name; an S3 name written by another component
    /// is read too). Unknown names read as STANDARD, so a record never becomes unreadable by
    /// a name this version does not know.
    pub fn of_stored(name: &str) -> StorageClass {
        StorageClass::parse(name, ClassDialect::S3).unwrap_or(StorageClass::Standard)
    }

    /// Archive classes: not readable until restored (POST Object restore).
    pub fn is_archive(self) -> bool {
        matches!(
            self,
            StorageClass::Archive | StorageClass::DeepArchive | StorageClass::MazArchive
        )
    }

    /// DEEP_ARCHIVE restores take longer and have no Expedited tier.
    pub fn is_deep_archive(self) -> bool {
        self == StorageClass::DeepArchive
    }

    /// Whether Append Object may create an object of this class. COS refuses
    /// INTELLIGENT_TIERING and multi-AZ for appends; cosd also refuses the archive classes (an
    /// appendable object is written over time; an archived one cannot even be read).
    pub fn appendable(self) -> bool {
        matches!(self, StorageClass::Standard | StorageClass::StandardIa)
    }
}

impl std::fmt::Display for StorageClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A restore's retrieval tier (`<Tier>` of `CASJobParameters` / `GlacierJobParameters`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RestoreTier {
    Expedited,
    Standard,
    Bulk,
}

impl RestoreTier {
    /// Exactly as COS and S3 spell them.
    pub fn parse(raw: &str) -> Option<RestoreTier> {
        match raw.trim() {
            "Expedited" => Some(RestoreTier::Expedited),
            "Standard" => Some(RestoreTier::Standard),
            "Bulk" => Some(RestoreTier::Bulk),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RestoreTier::Expedited => "Expedited",
            RestoreTier::Standard => "Standard",
            RestoreTier::Bulk => "Bulk",
        }
    }
}

/// The restore of one archived version: requested at `requested_ms`, readable from
/// `ready_ms` until `expires_ms` (times from the server's clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RestoreState {
    pub requested_ms: i64,
    pub ready_ms: i64,
    pub expires_ms: i64,
    pub tier: RestoreTier,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_round_trips_through_its_cos_name() {
        for c in ALL {
            assert_eq!(StorageClass::parse(c.as_str(), ClassDialect::Cos), Ok(c));
            assert_eq!(StorageClass::parse(c.as_str(), ClassDialect::S3), Ok(c));
            assert_eq!(StorageClass::of_stored(c.as_str()), c);
        }
    }

    #[test]
    fn names_by_dialect() {
        use ClassDialect::*;
        let table: &[(&str, ClassDialect, Option<StorageClass>)] = &[
            ("standard", Cos, Some(StorageClass::Standard)),
            (" ARCHIVE ", Cos, Some(StorageClass::Archive)),
            ("GLACIER", S3, Some(StorageClass::Archive)),
            ("glacier", S3, Some(StorageClass::Archive)),
            ("GLACIER", Cos, None),
            ("DEEP_ARCHIVE", S3, Some(StorageClass::DeepArchive)),
            ("STANDARD_IA", S3, Some(StorageClass::StandardIa)),
            (
                "INTELLIGENT_TIERING",
                S3,
                Some(StorageClass::IntelligentTiering),
            ),
            ("GLACIER_IR", S3, None),
            ("ONEZONE_IA", S3, None),
            ("REDUCED_REDUNDANCY", S3, None),
            ("EXPRESS_ONEZONE", S3, None),
            ("OUTPOSTS", S3, None),
            ("", Cos, None),
            ("COLD", Cos, None),
        ];
        for (raw, d, want) in table {
            assert_eq!(StorageClass::parse(raw, *d).ok(), *want, "{raw} {d:?}");
        }
        assert_eq!(StorageClass::Archive.display(S3), "GLACIER");
        assert_eq!(StorageClass::Archive.display(Cos), "ARCHIVE");
        assert_eq!(StorageClass::DeepArchive.display(S3), "DEEP_ARCHIVE");
        assert_eq!(StorageClass::MazStandard.display(S3), "MAZ_STANDARD");
        assert_eq!(StorageClass::of_stored("GLACIER"), StorageClass::Archive);
        assert_eq!(StorageClass::of_stored("bogus"), StorageClass::Standard);
    }

    #[test]
    fn archive_and_append_rules() {
        let archived: Vec<_> = ALL.iter().filter(|c| c.is_archive()).collect();
        assert_eq!(
            archived,
            [
                &StorageClass::Archive,
                &StorageClass::DeepArchive,
                &StorageClass::MazArchive
            ]
        );
        assert!(StorageClass::Standard.appendable());
        assert!(!StorageClass::IntelligentTiering.appendable());
        assert!(!StorageClass::MazStandard.appendable());
        assert!(!StorageClass::Archive.appendable());
    }

    #[test]
    fn tiers_are_case_sensitive_as_sent() {
        assert_eq!(RestoreTier::parse("Bulk"), Some(RestoreTier::Bulk));
        assert_eq!(RestoreTier::parse("bulk"), None);
        for t in [
            RestoreTier::Expedited,
            RestoreTier::Standard,
            RestoreTier::Bulk,
        ] {
            assert_eq!(RestoreTier::parse(t.as_str()), Some(t));
        }
    }
}
