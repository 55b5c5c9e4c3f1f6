//! One fuzzing binary for every target of `gateway::fuzzing`: `gateway-fuzz <target>` reads inputs
//! from AFL++ (`fuzz/run` starts it) and feeds them to the target, where a panic is a crash.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    if name == "--list" {
        for (name, _) in gateway::fuzzing::TARGETS {
            println!("{name}");
        }
        return;
    }
    let Some(target) = gateway::fuzzing::target(&name) else {
        let names: Vec<&str> = gateway::fuzzing::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "usage: gateway-fuzz <target>; targets: {}",
            names.join(", ")
        );
        std::process::exit(2);
    };
    afl::fuzz!(|data: &[u8]| target(data));
}
