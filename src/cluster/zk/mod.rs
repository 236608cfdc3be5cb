//! ZooKeeper in a cluster world: finding its servers and clients, its invariant checkers and
//! its scenarios. The only place in `cluster` (besides the composition in `node.rs`) that
//! knows what a ZooKeeper node is.

pub mod checks;
pub mod scenarios;
pub mod whatif;

use crate::sim::{NodeId, World};
use crate::zk::{ClientNode, Server};

use super::Node;

/// Every ZooKeeper server of the world, running or not, in node order.
pub fn servers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Server)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).zk_server().map(|s| (id, s)))
}

/// The running ZooKeeper servers.
pub fn running_servers(world: &World<Node>) -> impl Iterator<Item = (NodeId, &Server)> {
    servers(world).filter(move |(id, _)| world.is_up(*id))
}

/// The server on `id`, if `id` is a running ZooKeeper server.
pub fn running_server(world: &World<Node>, id: Option<NodeId>) -> Option<(NodeId, &Server)> {
    let id = id?;
    let s = world.node(id).zk_server()?;
    world.is_up(id).then_some((id, s))
}

/// Every ZooKeeper client of the world, in node order.
pub fn clients(world: &World<Node>) -> impl Iterator<Item = (NodeId, &ClientNode)> {
    world
        .node_ids()
        .filter_map(move |id| world.node(id).zk_client().map(|c| (id, c)))
}

/// Number of ZooKeeper servers in the world.
pub fn server_count(world: &World<Node>) -> usize {
    servers(world).count()
}
