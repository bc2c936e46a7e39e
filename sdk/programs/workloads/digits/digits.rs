//! digits: inference of a small multilayer perceptron (a digit classifier) over a batch of images,
//! as an ABI v2 (WASI) program in Rust with no crates.
//!
//!   digits MODEL BATCH
//!
//! MODEL: "HWNN", u32 LE layer count, then per layer u32 inputs, u32 outputs, outputs x inputs
//! f32 LE weights (row by row), outputs f32 LE biases. ReLU between layers; the class is the
//! argmax of the last layer (the lowest index on a tie).
//! BATCH: "HWDB", u32 LE count, u32 pixels per image, then per image a u8 label and its u8
//! pixels (0..255, scaled to 0..1).
//! stdout: JSON {"count":n,"correct":k,"predicted":[...],"confusion":[[...]...]} (confusion[label]
//! [predicted], 10 x 10). Weights are widened to f64 and summed in a fixed order: the same bytes
//! on every machine. A malformed file: a message on stderr, exit code 1 (bad usage 2).
use std::fs;
use std::io::Write;
use std::process::exit;

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    what: &'a str,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        if self.bytes.len() - self.at < n {
            fail(&format!("{}: truncated at byte {}", self.what, self.at));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        slice
    }
    fn u32(&mut self) -> usize {
        let b = self.take(4);
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }
    fn f32(&mut self) -> f64 {
        let b = self.take(4);
        f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64
    }
    fn magic(&mut self, magic: &[u8]) {
        if self.take(4) != magic {
            fail(&format!("{}: not a {} file", self.what, String::from_utf8_lossy(magic)));
        }
    }
}

fn fail(message: &str) -> ! {
    eprintln!("digits: {}", message);
    exit(1)
}

struct Layer {
    inputs: usize,
    outputs: usize,
    weights: Vec<f64>,
    biases: Vec<f64>,
}

fn read(path: &str) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| fail(&format!("{}: {}", path, e)))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: digits MODEL BATCH");
        exit(2);
    }
    let model_bytes = read(&args[1]);
    let mut model = Reader { bytes: &model_bytes, at: 0, what: &args[1] };
    model.magic(b"HWNN");
    let count = model.u32();
    if count == 0 || count > 16 {
        fail("the model needs 1 to 16 layers");
    }
    let mut layers = Vec::new();
    for _ in 0..count {
        let (inputs, outputs) = (model.u32(), model.u32());
        if inputs == 0 || outputs == 0 || inputs > 4096 || outputs > 4096 {
            fail("a layer needs 1 to 4096 inputs and outputs");
        }
        let weights = (0..inputs * outputs).map(|_| model.f32()).collect();
        let biases = (0..outputs).map(|_| model.f32()).collect();
        layers.push(Layer { inputs, outputs, weights, biases });
    }
    for pair in layers.windows(2) {
        if pair[0].outputs != pair[1].inputs {
            fail("consecutive layers do not fit together");
        }
    }
    let batch_bytes = read(&args[2]);
    let mut batch = Reader { bytes: &batch_bytes, at: 0, what: &args[2] };
    batch.magic(b"HWDB");
    let (n, pixels) = (batch.u32(), batch.u32());
    if pixels != layers[0].inputs {
        fail(&format!("images have {} pixels, the model takes {}", pixels, layers[0].inputs));
    }
    let classes = layers[layers.len() - 1].outputs;
    let mut predicted = Vec::with_capacity(n);
    let mut confusion = vec![vec![0u32; classes]; classes];
    let mut correct = 0;
    for _ in 0..n {
        let label = batch.take(1)[0] as usize;
        let mut activations: Vec<f64> = batch.take(pixels).iter().map(|&p| p as f64 / 255.0).collect();
        for (k, layer) in layers.iter().enumerate() {
            let mut next = Vec::with_capacity(layer.outputs);
            for o in 0..layer.outputs {
                let row = &layer.weights[o * layer.inputs..(o + 1) * layer.inputs];
                let mut sum = layer.biases[o];
                for i in 0..layer.inputs {
                    sum += row[i] * activations[i];
                }
                next.push(if k + 1 < layers.len() && sum < 0.0 { 0.0 } else { sum });
            }
            activations = next;
        }
        let mut best = 0;
        for c in 1..classes {
            if activations[c] > activations[best] {
                best = c;
            }
        }
        if label < classes {
            confusion[label][best] += 1;
        }
        if label == best {
            correct += 1;
        }
        predicted.push(best);
    }
    let list = |v: &Vec<usize>| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",");
    let rows: Vec<String> = confusion
        .iter()
        .map(|r| format!("[{}]", r.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(",")))
        .collect();
    let out = format!(
        "{{\"count\":{},\"correct\":{},\"predicted\":[{}],\"confusion\":[{}]}}\n",
        n,
        correct,
        list(&predicted),
        rows.join(",")
    );
    std::io::stdout().write_all(out.as_bytes()).unwrap();
}
