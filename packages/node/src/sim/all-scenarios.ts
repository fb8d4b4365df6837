/** Imports every scenario module so each registers itself. Add one line per module. */
import './membership-scenarios.js';
import './replication-scenarios.js';
import './anti-entropy-scenarios.js';
import './reclamation-scenarios.js';
