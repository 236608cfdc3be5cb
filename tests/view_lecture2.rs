//! The lecture hall, second pass (issue 14), checked natively: the words the page says (every
//! narration and node description of real runs, scenario titles at every ensemble size) and
//! the legend's message kinds per scenario.

use zooscope::cluster::catalogue;
use zooscope::view::protocols::legend_categories;
use zooscope::view::run::{Run, RunSpec};

fn run(scenario: &str, servers: Option<usize>, seed: u64) -> Run {
    Run::new(RunSpec {
        scenario: scenario.into(),
        seed,
        servers,
    })
    .unwrap_or_else(|e| panic!("{scenario} builds: {e}"))
}

/// What is wrong with one sentence the page shows, if anything.
fn grammar_problem(s: &str) -> Option<&'static str> {
    let checks: &[(&str, &str)] = &[
        ("It not ", "a verb is missing after \"It\""),
        ("It member", "a verb is missing after \"It\""),
        ("It connected", "a verb is missing after \"It\""),
        ("  ", "a double space"),
        (" .", "a space before a full stop"),
        (" ,", "a space before a comma"),
        ("..", "a doubled full stop"),
        (" a a ", "a doubled article"),
        (" the the ", "a doubled article"),
        (" is is ", "a doubled verb"),
        ("()", "empty brackets"),
    ];
    if s.trim() != s {
        return Some("space at an end");
    }
    // `{label}` left in by a template (sets such as `{zk1, zk3}` are fine).
    for part in s.split('{').skip(1) {
        let word = part.split('}').next().unwrap_or("");
        if part.contains('}')
            && !word.is_empty()
            && word.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        {
            return Some("an unfilled template");
        }
    }
    checks
        .iter()
        .find(|(needle, _)| s.contains(needle) && !s.contains("…"))
        .map(|(_, why)| *why)
}

#[test]
fn every_narration_and_node_description_of_real_runs_reads_as_a_sentence() {
    let mut seen = 0;
    for (scenario, servers, steps) in [
        ("default", Some(3), 1_500),
        ("default", Some(5), 800),
        ("zk-leader-crash", None, 2_500),
        ("zk-minority-leader", None, 1_500),
        ("zk-observers", None, 1_000),
        ("whatif-sessions-never-expire", None, 1_500),
        ("heartbeat", None, 300),
    ] {
        let mut r = run(scenario, servers, 1);
        for _ in 0..steps {
            let f = r.frame();
            let mut texts = vec![f.scene.narration.clone()];
            texts.extend(f.scene.nodes.iter().map(|n| n.description.clone()));
            for t in texts {
                if let Some(why) = grammar_problem(&t) {
                    panic!("{scenario} step {}: {why}: {t:?}", f.scene.step);
                }
                let first = t.chars().next().unwrap_or('A');
                assert!(
                    !first.is_lowercase() || t.starts_with("zk") || t.contains(' '),
                    "{scenario}: {t:?}"
                );
                seen += 1;
            }
            if !r.step() {
                break;
            }
        }
    }
    assert!(seen > 10_000, "only {seen} sentences read");
}

#[test]
fn no_zookeeper_scenario_title_names_a_server_count_the_size_picker_can_change() {
    let counts = [
        "one", "three", "five", "seven", "One", "Three", "Five", "Seven",
    ];
    for s in catalogue()
        .iter()
        .filter(|s| !s.name.starts_with("kafka") && s.name != "heartbeat")
    {
        for c in counts {
            assert!(
                !s.title.contains(&format!("{c} ")) && !s.title.contains(&format!("{c}-")),
                "{}: the title {:?} names a size",
                s.name,
                s.title
            );
            // A description may give the default size, saying it is the default.
            if let Some(at) = s.description.find(&format!("{c} servers")) {
                let rest = &s.description[at..];
                assert!(
                    rest.contains("by default") || s.description.contains("default)"),
                    "{}: {:?}",
                    s.name,
                    s.description
                );
            }
        }
        assert!(!s.description.contains("zk6, zk7"), "{}", s.name);
    }
}

#[test]
fn the_legend_lists_the_message_kinds_of_the_running_protocols_only() {
    let slugs = |scenario: &str| -> Vec<&'static str> {
        let f = run(scenario, None, 1).frame();
        legend_categories(f.scene.nodes.iter().map(|n| &n.kind))
            .into_iter()
            .map(|c| c.slug)
            .collect()
    };
    let zk = slugs("default");
    assert!(
        zk.contains(&"election") && zk.contains(&"broadcast"),
        "{zk:?}"
    );
    assert!(!zk.contains(&"produce") && !zk.contains(&"fetch"), "{zk:?}");
    assert_eq!(slugs("heartbeat"), ["ping"]);
    let kafka = slugs("kafka-default");
    assert!(
        kafka.contains(&"produce") && kafka.contains(&"election"),
        "{kafka:?}"
    );
    // Each kind once.
    let mut dedup = kafka.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), kafka.len());
}
