//! What a node's menu offers: start it (a spare not started yet), crash or restart it, cut it
//! off from everyone else, and what its protocol adds (expiring a ZooKeeper client's
//! session; Kafka's in `view/kafka/inputs.rs`). Every item is an input to the
//! timeline, so it can be stepped back over and is recorded in the URL; the UI only renders
//! these items and gives the chosen input.

use crate::cluster::ClusterWorld;
use crate::sim::{Input, NodeId};

use super::protocols::{self, NodeAction};
use super::scene::Frame;

/// The items of node `id`'s menu, in order, and a note on what is not possible now.
pub fn node_menu(
    frame: &Frame,
    world: &ClusterWorld,
    id: NodeId,
) -> (Vec<NodeAction>, Option<String>) {
    let Some(card) = frame.scene.nodes.iter().find(|c| c.id == id) else {
        return (Vec::new(), None);
    };
    let (mut out, note) = protocols::node_actions(world, id, &frame.names, &frame.protocols);
    if world.is_idle_spare(id) {
        // A spare the scenario keeps in reserve: it can only start.
        out.push(NodeAction {
            label: format!("Start {}", card.label),
            style: "primary",
            input: Input::Start(id),
        });
    } else if card.up {
        out.push(NodeAction {
            label: format!("Crash {}", card.label),
            style: "danger",
            input: Input::Crash(id),
        });
        let others: Vec<NodeId> = frame.names.ids().filter(|n| *n != id).collect();
        if !others.is_empty() {
            out.push(NodeAction {
                label: format!("Cut {} off the network", card.label),
                style: "danger",
                input: Input::Partition(vec![vec![id], others]),
            });
        }
    } else {
        out.push(NodeAction {
            label: format!("Restart {}", card.label),
            style: "primary",
            input: Input::Restart(id),
        });
    }
    (out, note)
}
