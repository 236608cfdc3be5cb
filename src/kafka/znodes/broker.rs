//! Broker and controller registration znodes: `/brokers/ids/<id>`, `/controller`,
//! `/controller_epoch`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Map, Value};

use super::{decode_decimal, err, field_i32, field_str, parse_object, to_bytes, ZnodeError};

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

#[derive(Serialize)]
struct BrokerJson<'a> {
    features: BTreeMap<String, Value>,
    listener_security_protocol_map: BTreeMap<&'a str, &'a str>,
    endpoints: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rack: Option<&'a str>,
    jmx_port: i32,
    port: i32,
    host: Option<&'a str>,
    version: i32,
    timestamp: String,
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
        to_bytes(&BrokerJson {
            features: BTreeMap::new(),
            listener_security_protocol_map: self
                .endpoints
                .iter()
                .map(|e| (e.listener.as_str(), e.security_protocol.as_str()))
                .collect(),
            endpoints: self
                .endpoints
                .iter()
                .map(Endpoint::connection_string)
                .collect(),
            rack: self.rack.as_deref(),
            jmx_port: self.jmx_port,
            port: plaintext.map_or(-1, |e| e.port),
            host: plaintext.map(|e| e.host.as_str()),
            version: self.version,
            timestamp: self.timestamp_ms.to_string(),
        })
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
            .and_then(Value::as_object);
        let listeners = obj
            .get("endpoints")
            .and_then(Value::as_array)
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
        let rack = obj.get("rack").and_then(Value::as_str).map(str::to_string);
        Ok(Self {
            version,
            endpoints,
            jmx_port,
            timestamp_ms,
            rack,
        })
    }
}

fn parse_endpoint(text: &str, protocols: Option<&Map<String, Value>>) -> Option<Endpoint> {
    let (listener, hostport) = text.split_once("://")?;
    let (host, port) = hostport.rsplit_once(':')?;
    let security_protocol = match protocols {
        Some(map) => map.get(listener)?.as_str()?.to_string(),
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
    #[derive(Serialize)]
    struct ControllerJson {
        version: i32,
        brokerid: i32,
        timestamp: String,
    }
    to_bytes(&ControllerJson {
        version: 1,
        brokerid: broker_id,
        timestamp: timestamp_ms.to_string(),
    })
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
