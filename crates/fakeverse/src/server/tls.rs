//! TLS for every simulated host: a CA generated at start-up, and a certificate for each
//! host name, made on its first handshake (SNI) and cached. Dead hosts get no
//! certificate, so their handshakes fail as their connections would.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::{
    ServerConfig,
    crypto::CryptoProvider,
    pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer},
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
};

use crate::FakeverseError;

/// The CA and the certificates it has made.
pub(crate) struct SniResolver {
    issuer: Issuer<'static, KeyPair>,
    provider: Arc<CryptoProvider>,
    cache: Mutex<HashMap<String, Arc<CertifiedKey>>>,
    /// Host names that get no certificate.
    refuse: Vec<String>,
}

impl std::fmt::Debug for SniResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SniResolver").finish_non_exhaustive()
    }
}

impl SniResolver {
    fn certify(&self, name: &str) -> Result<Arc<CertifiedKey>, FakeverseError> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(vec![name.to_owned()])?;
        params.distinguished_name.push(DnType::CommonName, name);
        let cert = params.signed_by(&key, &self.issuer)?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = self.provider.key_provider.load_private_key(der)?;
        Ok(Arc::new(CertifiedKey::new(
            vec![cert.der().clone()],
            signing,
        )))
    }
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = hello
            .server_name()
            .unwrap_or("fakeverse.localhost")
            .to_ascii_lowercase();
        if self.refuse.contains(&name) {
            return None;
        }
        if let Some(found) = self.cache.lock().ok()?.get(&name) {
            return Some(found.clone());
        }
        let made = self.certify(&name).ok()?;
        self.cache.lock().ok()?.insert(name, made.clone());
        Some(made)
    }
}

/// A TLS server configuration for every host, and the CA's PEM to trust.
pub(crate) fn server_config(
    refuse: Vec<String>,
) -> Result<(Arc<ServerConfig>, String), FakeverseError> {
    let ca_key = KeyPair::generate()?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "fedireach fakeverse CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_cert = params.self_signed(&ca_key)?;
    let ca_pem = ca_cert.pem();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let resolver = SniResolver {
        issuer: Issuer::new(params, ca_key),
        provider: provider.clone(),
        cache: Mutex::new(HashMap::new()),
        refuse,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok((Arc::new(config), ca_pem))
}
