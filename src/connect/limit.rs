//! TODO(foundation): filled in by the foundation work.
