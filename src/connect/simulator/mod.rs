//! TODO(foundation): the wire-compatible Connect simulator.
