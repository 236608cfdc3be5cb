//! Broker and controller registration znodes: `/brokers/ids/<id>`, `/controller`,
//! `/controller_epoch`.

use crate::sim::VecMap;

use super::json::{self, Json, ObjWriter};
use super::{decode_decimal, err, field_i32, field_str, parse_object, ZnodeError};

/// One advertised listener: `PLAINTEXT://host:port`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// Listener name, e.g. `PLAINTEXT`.
    pub listener: String,
    /// Security protocol, e.g. `PLAINTEXT`.
    pub security_protocol: String,
    /// Advertised host.
    pub host: String,
    /// Advertised port.
    pub port: i32,
}

impl Endpoint {
    /// A `PLAINTEXT` listener.
    pub fn plaintext(host: &str, port: i32) -> Self {
        Self {
            listener: "PLAINTEXT".into(),
            security_protocol: "PLAINTEXT".into(),
            host: host.into(),
            port,
        }
    }

    /// `EndPoint.connectionString`.
    pub fn connection_string(&self) -> String {
        format!("{}://{}:{}", self.listener, self.host, self.port)
    }
}

/// `/brokers/ids/<id>` contents (`BrokerIdZNode`, version 5 with IBP >= 2.7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokerRegistration {
    /// JSON version (5 for 2.8).
    pub version: i32,
    /// Advertised listeners; `host`/`port` come from the first PLAINTEXT one.
    pub endpoints: Vec<Endpoint>,
    /// `jmx_port` (-1 when JMX is off).
    pub jmx_port: i32,
    /// Registration time in ms (simulated), written as a string.
    pub timestamp_ms: i64,
    /// `broker.rack`, written only if set.
    pub rack: Option<String>,
}

impl BrokerRegistration {
    /// A version-5 registration, as a 2.8 broker writes at startup.
    pub fn new(endpoints: Vec<Endpoint>, timestamp_ms: i64, rack: Option<String>) -> Self {
        Self {
            version: 5,
            endpoints,
            jmx_port: -1,
            timestamp_ms,
            rack,
        }
    }

    /// The JSON bytes. Key order is a Scala 2.13 build's: `features`,
    /// `listener_security_protocol_map`, `endpoints`, `rack`, `jmx_port`, `port`, `host`,
    /// `version`, `timestamp`.
    pub fn encode(&self) -> Vec<u8> {
        let plaintext = self
            .endpoints
            .iter()
            .find(|e| e.security_protocol == "PLAINTEXT");
        let protocols: VecMap<&str, &str> = self
            .endpoints
            .iter()
            .map(|e| (e.listener.as_str(), e.security_protocol.as_str()))
            .collect();
        let mut endpoints = String::from("[");
        for (i, e) in self.endpoints.iter().enumerate() {
            if i > 0 {
                endpoints.push(',');
            }
            json::push_str(&mut endpoints, &e.connection_string());
        }
        endpoints.push(']');
        let mut w = ObjWriter::new();
        w.raw("features", "{}")
            .raw(
                "listener_security_protocol_map",
                &json::str_object(protocols),
            )
            .raw("endpoints", &endpoints);
        if let Some(rack) = &self.rack {
            w.str("rack", rack);
        }
        w.int("jmx_port", self.jmx_port.into())
            .int("port", plaintext.map_or(-1, |e| e.port).into());
        match plaintext {
            Some(e) => w.str("host", &e.host),
            None => w.raw("host", "null"),
        };
        w.int("version", self.version.into())
            .str("timestamp", &self.timestamp_ms.to_string());
        w.finish().into_bytes()
    }

    /// `BrokerIdZNode.decode` for versions 2 and later.
    pub fn decode(bytes: &[u8]) -> Result<Self, ZnodeError> {
        const Z: &str = "broker registration";
        let obj = parse_object(Z, bytes)?;
        let version = field_i32(Z, &obj, "version")?;
        if version < 2 {
            return Err(err(Z, format!("unsupported version {version}")));
        }
        let jmx_port = field_i32(Z, &obj, "jmx_port")?;
        let protocols = obj
            .get("listener_security_protocol_map")
            .and_then(Json::as_object);
        let listeners = obj
            .get("endpoints")
            .and_then(Json::as_array)
            .ok_or_else(|| err(Z, "missing \"endpoints\""))?;
        let mut endpoints = Vec::new();
        for listener in listeners {
            let text = listener
                .as_str()
                .ok_or_else(|| err(Z, "non-string endpoint"))?;
            let endpoint = parse_endpoint(text, protocols)
                .ok_or_else(|| err(Z, format!("malformed endpoint {text:?}")))?;
            endpoints.push(endpoint);
        }
        let timestamp_ms = field_str(Z, &obj, "timestamp")?
            .parse::<i64>()
            .map_err(|_| err(Z, "non-numeric \"timestamp\""))?;
        let rack = obj.get("rack").and_then(Json::as_str).map(str::to_string);
        Ok(Self {
            version,
            endpoints,
            jmx_port,
            timestamp_ms,
            rack,
        })
    }
}

fn parse_endpoint(text: &str, protocols: Option<&[(String, Json)]>) -> Option<Endpoint> {
    let (listener, hostport) = text.split_once("://")?;
    let (host, port) = hostport.rsplit_once(':')?;
    let security_protocol = match protocols {
        Some(map) => map
            .iter()
            .find(|(k, _)| k == listener)?
            .1
            .as_str()?
            .to_string(),
        None => listener.to_string(),
    };
    Some(Endpoint {
        listener: listener.to_string(),
        security_protocol,
        host: host.to_string(),
        port: port.parse().ok()?,
    })
}

/// `/controller`: `{"version":1,"brokerid":<id>,"timestamp":"<ms>"}`.
pub fn encode_controller(broker_id: i32, timestamp_ms: i64) -> Vec<u8> {
    ObjWriter::new()
        .int("version", 1)
        .int("brokerid", broker_id.into())
        .str("timestamp", &timestamp_ms.to_string())
        .finish()
        .into_bytes()
}

/// `ControllerZNode.decode`: the controller's broker id.
pub fn decode_controller(bytes: &[u8]) -> Result<i32, ZnodeError> {
    let obj = parse_object("controller", bytes)?;
    field_i32("controller", &obj, "brokerid")
}

/// `/controller_epoch`: the epoch as decimal text.
pub fn encode_controller_epoch(epoch: i32) -> Vec<u8> {
    epoch.to_string().into_bytes()
}

/// `ControllerEpochZNode.decode`.
pub fn decode_controller_epoch(bytes: &[u8]) -> Result<i32, ZnodeError> {
    decode_decimal("controller epoch", bytes)
}
