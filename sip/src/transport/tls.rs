//! TLS configuration for SIP over TLS (RFC 3261 §26.2.1, RFC 5922): certificates from PEM files or
//! generated on the fly (so a server starts with TLS and no setup), and client configurations that trust a
//! given certificate or, explicitly, any certificate (lab phones with self-signed certificates).

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, ServerConfig, SignatureScheme};
use thiserror::Error;

/// Why a TLS configuration could not be built.
#[derive(Debug, Error)]
pub enum TlsError {
    #[error("reading {path}: {reason}")]
    Pem { path: String, reason: String },
    #[error("generating a certificate: {0}")]
    Generate(String),
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

/// A certificate chain and its key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Identity {
    /// A self-signed certificate for the given names (DNS names or IP addresses).
    pub fn self_signed(names: &[&str]) -> Result<Identity, TlsError> {
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let cert = rcgen::generate_simple_self_signed(names)
            .map_err(|e| TlsError::Generate(e.to_string()))?;
        Ok(Identity {
            chain: vec![cert.cert.der().clone()],
            key: PrivateKeyDer::Pkcs8(cert.key_pair.serialize_der().into()),
        })
    }

    /// Reads a PEM certificate chain and a PEM private key.
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Identity, TlsError> {
        let pem_err = |path: &Path, e: &dyn std::fmt::Display| TlsError::Pem {
            path: path.display().to_string(),
            reason: e.to_string(),
        };
        let chain = CertificateDer::pem_file_iter(cert)
            .map_err(|e| pem_err(cert, &e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| pem_err(cert, &e))?;
        if chain.is_empty() {
            return Err(pem_err(cert, &"no certificate in file"));
        }
        let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| pem_err(key, &e))?;
        Ok(Identity {
            chain,
            key: key_der,
        })
    }

    pub fn server_config(&self) -> Result<Arc<ServerConfig>, TlsError> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(self.chain.clone(), self.key.clone_key())?;
        Ok(Arc::new(config))
    }

    /// A client configuration that trusts exactly this identity's certificate.
    pub fn trusting_client_config(&self) -> Result<Arc<ClientConfig>, TlsError> {
        let mut roots = RootCertStore::empty();
        for cert in &self.chain {
            roots.add(cert.clone())?;
        }
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(Arc::new(config))
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration that accepts any server certificate. Only for labs whose phones or servers use
/// self-signed certificates; the handshake signatures are still checked.
pub fn insecure_client_config() -> Result<Arc<ClientConfig>, TlsError> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider())))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// The name to verify: the configured one, else the IP address.
pub(crate) fn server_name(
    name: Option<&str>,
    addr: SocketAddr,
) -> Result<ServerName<'static>, String> {
    match name {
        Some(n) => ServerName::try_from(n.to_string())
            .map_err(|e| format!("bad TLS server name {n:?}: {e}")),
        None => Ok(ServerName::IpAddress(addr.ip().into())),
    }
}
