"""The Excel-like grammar (lark, LALR). Precedence, lowest first:
comparison, ``&``, ``+ -``, ``* /``, ``^`` (left-associative), unary ``- +``.
"""

from __future__ import annotations

GRAMMAR = r"""
?start: compare

?compare: concat
        | compare COMP_OP concat      -> binary
?concat: sum
       | concat AMP sum               -> binary
?sum: product
    | sum ADD_OP product              -> binary
?product: power
        | product MUL_OP power        -> binary
?power: unary
      | power POW_OP unary            -> binary
?unary: atom
      | ADD_OP unary                  -> unary
?atom: NUMBER                         -> number
     | STRING                         -> text
     | NAME                           -> name
     | NAME "." NAME                  -> column
     | NAME "(" [args] ")"            -> call
     | "(" compare ")"
args: compare ("," compare)*

COMP_OP: "<>" | "<=" | ">=" | "=" | "<" | ">"
AMP: "&"
ADD_OP: "+" | "-"
MUL_OP: "*" | "/"
POW_OP: "^"
NUMBER: /(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
STRING: /"([^"]|"")*"/
NAME: /[^\W\d]\w*/

%ignore /\s+/
"""

# How lark's terminal names read in a syntax error message.
TERMINAL_NAMES = {
    "COMP_OP": "a comparison",
    "AMP": "“&”",
    "ADD_OP": "“+” or “-”",
    "MUL_OP": "“*” or “/”",
    "POW_OP": "“^”",
    "NUMBER": "a number",
    "STRING": "a text in double quotes",
    "NAME": "a name",
    "LPAR": "“(”",
    "RPAR": "“)”",
    "COMMA": "“,”",
    "DOT": "“.”",
    "$END": "the end of the formula",
}
