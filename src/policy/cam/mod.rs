//! The CAM policy language (version 2.0) as COS applies it to user policies, bucket policies
//! and temporary-key policies: parsing with validation (`parse`), condition operators
//! (`condition`), and a pure evaluator where an explicit deny anywhere wins (`eval`).
//! See shared/spec/00-seed-inventory.md §6–8.

mod condition;
mod eval;
pub(crate) mod glob;
pub(crate) mod parse;

pub use condition::{Condition, Operator, Qualifier};
pub(crate) use eval::principal_match;
pub use eval::{evaluate, evaluate_detailed, Detailed, PrincipalMatch, RequestContext, Verdict};
pub use parse::{PolicyError, BUCKET_POLICY_MAX_LEN, DEFAULT_MAX_POLICY_LEN};

/// A parsed, validated policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub effect: Effect,
    /// `None` for user policies (they apply to whoever they are attached to).
    pub principals: Option<Vec<String>>,
    /// Normalised to `name/cos:<Action>` (patterns may hold `*`).
    pub actions: Vec<String>,
    /// Normalised resource patterns (legacy `prefix//` form rewritten, empty region = any).
    pub resources: Vec<String>,
    /// All must hold (AND).
    pub conditions: Vec<Condition>,
    /// For a statement of an AWS-syntax policy (`policy::aws`), what AWS adds: the `Not...`
    /// forms, version-scoped actions, ARN resources, AWS condition semantics. `None` for CAM.
    pub aws: Option<Box<crate::policy::aws::AwsParts>>,
}

#[cfg(test)]
mod seed_tests;
#[cfg(test)]
mod tests;
