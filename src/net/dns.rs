//! An optional DNS responder (UDP) for the server's virtual-hosted names: every name under a
//! configured domain (`dns_domains`, default the `domains` list and the
//! `*.cos.<region>.myqcloud.com` names) is answered with the server's address, so containers
//! and SDKs that always build `<bucket>.<domain>` work without editing `/etc/hosts`: point
//! their resolver at it (`podman run --dns`, `resolv.conf`). It is authoritative for those
//! names only and recurses for nothing: any other name is REFUSED. Messages are parsed and
//! written by `simple-dns`; the answering is a pure function with table tests.

use simple_dns::rdata::{RData, A, AAAA};
use simple_dns::{Name, Packet, PacketFlag, ResourceRecord, CLASS, QCLASS, QTYPE, RCODE, TYPE};
use std::net::IpAddr;
use tokio::net::UdpSocket;
use tokio_util::sync::CancellationToken;

/// Seconds resolvers may cache an answer.
const TTL: u32 = 60;

/// What the responder answers.
#[derive(Debug, Clone)]
pub struct Zone {
    /// Lower case, without a trailing dot.
    pub domains: Vec<String>,
    pub address: IpAddr,
}

impl Zone {
    /// The zone `config` describes: `dns_domains` (default: `domains` and
    /// `cos.<region>.myqcloud.com`, with the website domains), answered with `dns_address`
    /// (default: the HTTP listener's IP, or 127.0.0.1 when it listens on every address).
    pub fn from_config(
        config: &crate::config::Config,
        http: std::net::SocketAddr,
    ) -> Result<Zone, String> {
        let mut domains: Vec<String> = if config.dns_domains.is_empty() {
            let mut d = config.domains.clone();
            d.extend(config.website_domains.iter().cloned());
            d.push(format!("cos.{}.myqcloud.com", config.region));
            d.push(format!("cos-website.{}.myqcloud.com", config.region));
            d
        } else {
            config.dns_domains.clone()
        };
        for d in &mut domains {
            *d = d.trim_end_matches('.').to_ascii_lowercase();
        }
        domains.sort();
        domains.dedup();
        let address = match config.dns_address.as_str() {
            "" if http.ip().is_unspecified() => IpAddr::from([127, 0, 0, 1]),
            "" => http.ip(),
            a => a
                .parse()
                .map_err(|_| format!("dns_address {a:?} is not an IP address"))?,
        };
        Ok(Zone { domains, address })
    }

    /// Whether `name` (any case, trailing dot or not) is one of the domains or under one.
    pub fn covers(&self, name: &str) -> bool {
        let n = name.trim_end_matches('.').to_ascii_lowercase();
        self.domains
            .iter()
            .any(|d| n == *d || n.strip_suffix(d.as_str()).is_some_and(|p| p.ends_with('.')))
    }
}

/// The reply to the query `msg`, or None for a message that is not a query we can parse (a
/// datagram that is not DNS gets no answer rather than an amplified one).
pub fn answer(zone: &Zone, msg: &[u8]) -> Option<Vec<u8>> {
    let query = Packet::parse(msg).ok()?;
    if query.has_flags(PacketFlag::RESPONSE) {
        return None;
    }
    let mut reply = Packet::new_reply(query.id());
    reply.set_flags(PacketFlag::AUTHORITATIVE_ANSWER);
    if query.has_flags(PacketFlag::RECURSION_DESIRED) {
        reply.set_flags(PacketFlag::RECURSION_DESIRED);
    }
    // Resolvers send one question; answer the first, as most servers do.
    let Some(q) = query.questions.first() else {
        *reply.rcode_mut() = RCODE::FormatError;
        return reply.build_bytes_vec().ok();
    };
    reply.questions.push(q.clone());
    let name = q.qname.to_string();
    if !zone.covers(&name) {
        *reply.rcode_mut() = RCODE::Refused;
        return reply.build_bytes_vec().ok();
    }
    let class_in = matches!(q.qclass, QCLASS::CLASS(CLASS::IN) | QCLASS::ANY);
    let rdata = match (q.qtype, zone.address) {
        (QTYPE::TYPE(TYPE::A) | QTYPE::ANY, IpAddr::V4(v4)) if class_in => Some(RData::A(A {
            address: u32::from(v4),
        })),
        (QTYPE::TYPE(TYPE::AAAA) | QTYPE::ANY, IpAddr::V6(v6)) if class_in => {
            Some(RData::AAAA(AAAA {
                address: u128::from(v6),
            }))
        }
        // The name exists; it has no record of this type (NODATA: NOERROR, no answer).
        _ => None,
    };
    if let Some(rdata) = rdata {
        reply.answers.push(ResourceRecord::new(
            Name::new_unchecked(&name).into_owned(),
            CLASS::IN,
            TTL,
            rdata,
        ));
    }
    reply.build_bytes_vec().ok()
}

/// Answers queries on `socket` until `stop`.
pub async fn serve(socket: UdpSocket, zone: Zone, stop: CancellationToken) {
    let mut buf = vec![0u8; 1500];
    loop {
        let (n, peer) = tokio::select! {
            r = socket.recv_from(&mut buf) => match r {
                Ok(r) => r,
                Err(e) => {
                    tracing::debug!(error = %e, "dns receive failed");
                    continue;
                }
            },
            _ = stop.cancelled() => return,
        };
        if let Some(reply) = answer(&zone, &buf[..n]) {
            if let Err(e) = socket.send_to(&reply, peer).await {
                tracing::debug!(%peer, error = %e, "dns reply not sent");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simple_dns::Question;

    fn zone() -> Zone {
        Zone {
            domains: vec!["cos.local".into(), "cos.ap-guangzhou.myqcloud.com".into()],
            address: "127.0.0.1".parse().unwrap(),
        }
    }

    fn ask(name: &str, qtype: TYPE) -> Vec<u8> {
        let mut p = Packet::new_query(7);
        p.set_flags(PacketFlag::RECURSION_DESIRED);
        p.questions.push(Question::new(
            Name::new_unchecked(name),
            qtype.into(),
            CLASS::IN.into(),
            false,
        ));
        p.build_bytes_vec().unwrap()
    }

    #[test]
    fn names_under_the_domains_are_covered() {
        let z = zone();
        for (name, covered) in [
            ("cos.local", true),
            ("b-1250000000.cos.local", true),
            ("B-1250000000.COS.LOCAL.", true),
            ("a.b.cos.local", true),
            ("xcos.local", false),
            ("example.com", false),
            ("b.cos.ap-guangzhou.myqcloud.com", true),
            ("b.cos.ap-shanghai.myqcloud.com", false),
        ] {
            assert_eq!(z.covers(name), covered, "{name}");
        }
    }

    #[test]
    fn a_bucket_name_gets_the_servers_address() {
        let reply = answer(&zone(), &ask("photos-1250000000.cos.local", TYPE::A)).unwrap();
        let p = Packet::parse(&reply).unwrap();
        assert_eq!(p.id(), 7);
        assert!(p.has_flags(PacketFlag::RESPONSE | PacketFlag::AUTHORITATIVE_ANSWER));
        assert_eq!(p.rcode(), RCODE::NoError);
        assert_eq!(p.answers.len(), 1);
        match &p.answers[0].rdata {
            RData::A(a) => assert_eq!(a.address, u32::from(std::net::Ipv4Addr::LOCALHOST)),
            other => panic!("{other:?}"),
        }
        assert_eq!(p.answers[0].name.to_string(), "photos-1250000000.cos.local");
    }

    #[test]
    fn other_names_are_refused_and_other_types_have_no_data() {
        let p = answer(&zone(), &ask("example.com", TYPE::A)).unwrap();
        assert_eq!(Packet::parse(&p).unwrap().rcode(), RCODE::Refused);
        let p = answer(&zone(), &ask("b.cos.local", TYPE::AAAA)).unwrap();
        let p = Packet::parse(&p).unwrap();
        assert_eq!(p.rcode(), RCODE::NoError);
        assert!(p.answers.is_empty());
        let p = answer(&zone(), &ask("b.cos.local", TYPE::MX)).unwrap();
        assert!(Packet::parse(&p).unwrap().answers.is_empty());
        let v6 = Zone {
            address: "::1".parse().unwrap(),
            ..zone()
        };
        let p = answer(&v6, &ask("b.cos.local", TYPE::AAAA)).unwrap();
        assert_eq!(Packet::parse(&p).unwrap().answers.len(), 1);
    }

    #[test]
    fn garbage_and_replies_get_no_answer() {
        assert!(answer(&zone(), b"").is_none());
        assert!(answer(&zone(), b"\x00\x01garbage").is_none());
        let reply = answer(&zone(), &ask("b.cos.local", TYPE::A)).unwrap();
        assert!(answer(&zone(), &reply).is_none());
    }
}
