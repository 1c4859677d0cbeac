//! Table tests: one fixture line per format variant and its expected values.
