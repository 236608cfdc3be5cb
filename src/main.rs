//! The web app entry point (feature `ui`), built to WebAssembly by Trunk from `index.html`.

fn main() {
    zooscope::ui::start()
}
