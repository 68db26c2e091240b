//! A fixed credential store for the signature schemes' vector tests.

use super::{Credential, CredentialStore, Secret};

pub struct Keys(pub Vec<(&'static str, &'static str)>);

impl CredentialStore for Keys {
    fn lookup(&self, id: &str) -> Option<Credential> {
        self.0
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, k)| Credential {
                secret_key: Secret(k.to_string()),
                uin: "1".into(),
                root_uin: "1".into(),
                enabled: true,
                session: None,
            })
    }
}
