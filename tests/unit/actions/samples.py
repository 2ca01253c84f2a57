"""Real-looking source per language for the action tests: a stub function (in that language's idiom),
a finished function without a doc comment, non-ASCII names and strings, and a syntax error further
down the file. Lines are 0-based; `outside` is a line in no function."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    key: str
    path: str
    language_id: str
    text: str
    stub: int  # a line inside the stub function
    real: int  # a line inside the finished, undocumented function
    outside: int
    body_answer: str  # the whole function, fenced, as a model writes it
    body_line: str  # a line the applied body must contain (with the file's indentation)
    bad_answer: str  # an answer that breaks the file's syntax
    doc_first: str  # how the inserted doc comment's first line starts (indentation included)
    stub_name: str


SAMPLES = [
    Sample(
        "python", "/proj/pkg/grüße.py", "python",
        'import os\n\n\ndef grüße(名前: str) -> str:\n    raise NotImplementedError  # "👋"\n\n\ndef add(a, b):\n    return a + b  # 合計\n\n\ndef broken(:\n    pass\n',
        4, 8, 1,
        '```python\ndef grüße(名前: str) -> str:\n    """Say hi."""\n    return f"こんにちは {名前}"\n```',
        '    return f"こんにちは {名前}"',
        "```python\ndef grüße(名前: str) -> str:\n    return (\n```", '    """', "grüße",
    ),
    Sample(
        "typescript", "/proj/src/greet.ts", "typescript",
        'import { x } from "./x";\n\nexport function grüße(名前: string): string {\n  throw new Error("not implemented");\n}\n\nexport class Counter {\n  add(a: number, b: number): number {\n    return a + b; // 合計\n  }\n}\n\nconst broken = (;\n',
        3, 8, 1,
        '```ts\nexport function grüße(名前: string): string {\n  return `こんにちは ${名前}`;\n}\n```',
        "  return `こんにちは ${名前}`;",
        "```ts\nfunction grüße(名前: string): string {\n  return (;\n```", "  /**", "grüße",
    ),
    Sample(
        "tsx", "/proj/src/View.tsx", "typescriptreact",
        'import React from "react";\n\nexport function Badge(props: { label: string }) {\n  // TODO\n}\n\nexport const Title = (props: { text: string }) => {\n  return <h1 className="t">{props.text} ✨</h1>;\n};\n\nconst broken = <div>;\n',
        3, 7, 1,
        '```tsx\nexport function Badge(props: { label: string }) {\n  return <span className="badge">{props.label} 🏷</span>;\n}\n```',
        '  return <span className="badge">{props.label} 🏷</span>;',
        "```tsx\nfunction Badge(props) {\n  return <span>;\n}\n```", "/**", "Badge",
    ),
    Sample(
        "javascript", "/proj/lib/util.js", "javascript",
        'const fs = require("fs");\n\nfunction grüße(名前) {\n}\n\nclass Counter {\n  add(a, b) {\n    return a + b; // 合計\n  }\n}\n\nfunction broken( {\n',
        3, 7, 1,
        '```js\nfunction grüße(名前) {\n  return "こんにちは " + 名前;\n}\n```',
        '  return "こんにちは " + 名前;',
        "```js\nfunction grüße(名前) {\n  return (;\n}\n```", "  /**", "grüße",
    ),
    Sample(
        "go", "/proj/greet/greet.go", "go",
        'package greet\n\nimport "fmt"\n\nfunc Grüße(名前 string) string {\n\tpanic("TODO")\n}\n\nfunc Add(a, b int) int {\n\treturn a + b // 合計\n}\n\nfunc broken( {\n',
        5, 9, 2,
        '```go\nfunc Grüße(名前 string) string {\n\treturn fmt.Sprintf("こんにちは %s", 名前)\n}\n```',
        '\treturn fmt.Sprintf("こんにちは %s", 名前)',
        "```go\nfunc Grüße(名前 string) string {\n\treturn fmt.Sprintf((\n}\n```", "// ", "Grüße",
    ),
    Sample(
        "rust", "/proj/src/lib.rs", "rust",
        'use std::fmt;\n\npub fn grüße(名前: &str) -> String {\n    todo!()\n}\n\nimpl Counter {\n    pub fn add(&self, a: i32, b: i32) -> i32 {\n        a + b // 合計\n    }\n}\n\nfn broken( {\n',
        3, 8, 1,
        '```rust\npub fn grüße(名前: &str) -> String {\n    format!("こんにちは {}", 名前)\n}\n```',
        '    format!("こんにちは {}", 名前)',
        "```rust\npub fn grüße(名前: &str) -> String {\n    format!((\n}\n```", "    /// ", "grüße",
    ),
    Sample(
        "java", "/proj/src/main/java/com/acme/Greeter.java", "java",
        'package com.acme;\n\npublic class Greeter {\n    public String grüße(String 名前) {\n        throw new UnsupportedOperationException();\n    }\n\n    public int add(int a, int b) {\n        return a + b; // 合計\n    }\n}\n\nclass Broken { void f( }\n',
        4, 8, 0,
        '```java\npublic String grüße(String 名前) {\n    return "こんにちは " + 名前;\n}\n```',
        '        return "こんにちは " + 名前;',
        "```java\npublic String grüße(String 名前) {\n    return (;\n}\n```", "    /**", "grüße",
    ),
    Sample(
        "c", "/proj/src/greet.c", "c",
        '#include <stdio.h>\n\nint greet(char *buf, const char *name) {\n    /* TODO */\n}\n\nint add(int a, int b) {\n    return a + b; /* 合計 */\n}\n\nint broken( {\n',
        3, 7, 1,
        '```c\nint greet(char *buf, const char *name) {\n    return sprintf(buf, "こんにちは %s", name);\n}\n```',
        '    return sprintf(buf, "こんにちは %s", name);',
        "```c\nint greet(char *buf, const char *name) {\n    return sprintf((;\n}\n```", "/**", "greet",
    ),
    Sample(
        "cpp", "/proj/src/greet.cpp", "cpp",
        '#include <string>\n\nstd::string greet(const std::string& name) {\n    throw std::logic_error("not implemented");\n}\n\nclass Counter {\n public:\n    int add(int a, int b) { return a + b; }\n};\n\nint broken( {\n',
        3, 8, 1,
        '```cpp\nstd::string greet(const std::string& name) {\n    return "こんにちは " + name;\n}\n```',
        '    return "こんにちは " + name;',
        "```cpp\nstd::string greet(const std::string& name) {\n    return (;\n}\n```", "    /**", "greet",
    ),
    Sample(
        "csharp", "/proj/src/Greeter.cs", "csharp",
        'using System;\n\npublic class Greeter\n{\n    public string Grüße(string 名前)\n    {\n        throw new NotImplementedException();\n    }\n\n    public int Add(int a, int b)\n    {\n        return a + b; // 合計\n    }\n}\n\nclass Broken { void F( }\n',
        6, 11, 1,
        '```csharp\npublic string Grüße(string 名前)\n{\n    return $"こんにちは {名前}";\n}\n```',
        '        return $"こんにちは {名前}";',
        "```csharp\npublic string Grüße(string 名前)\n{\n    return (;\n}\n```", "    /// <summary>", "Grüße",
    ),
    Sample(
        "ruby", "/proj/lib/greeter.rb", "ruby",
        'require "json"\n\nclass Greeter\n  def grüße(名前)\n    raise NotImplementedError\n  end\n\n  def add(a, b)\n    a + b # 合計\n  end\nend\n\ndef broken(\n',
        4, 8, 0,
        '```ruby\ndef grüße(名前)\n  "こんにちは #{名前}"\nend\n```',
        '    "こんにちは #{名前}"',
        "```ruby\ndef grüße(名前)\n  (\nend\n```", "  # ", "grüße",
    ),
]
