// The procedure designer (docs/procedure-format.md): the procedure's information, fields with a side panel, verdict rules,
// limit tables, test cases and the test run, all edited as forms. Loaded as an ES module; its
// parts live in ./designer/.

import {start} from "./designer/app.js";
import {setUpMeta} from "./designer/meta.js";
import {setUpFields} from "./designer/fields.js";
import {setUpRules} from "./designer/rules.js";
import {setUpTables} from "./designer/tables.js";
import {setUpCases} from "./designer/cases.js";

setUpMeta();
setUpFields();
setUpRules();
setUpTables();
setUpCases();
start();
