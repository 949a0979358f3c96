#!/usr/bin/env node
// Committed shim so npm can link the binary before the TypeScript build has run.
import "../dist/src/main.js";
