"""UI strings in Chinese and English; the language follows the person's choice."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "interview": {"zh": "模拟面试", "en": "Interview"},
    "ask": {"zh": "提问", "en": "Ask"},
    "library": {"zh": "资料库", "en": "Library"},
    "progress": {"zh": "进度", "en": "Progress"},
    "lab": {"zh": "采样实验室", "en": "Sampling Lab"},
    "your_answer": {"zh": "输入你的回答…", "en": "Type your answer…"},
    "your_question": {"zh": "问一个关于笔记的问题…", "en": "Ask about your notes…"},
    "skip": {"zh": "跳过", "en": "Skip"},
    "hint": {"zh": "提示", "en": "Hint"},
    "reference": {"zh": "参考答案", "en": "Reference answer"},
    "restart": {"zh": "重新开始", "en": "New interview"},
    "covered": {"zh": "答到的要点", "en": "Covered"},
    "missed": {"zh": "遗漏的要点", "en": "Missed"},
    "wrong": {"zh": "与文档矛盾", "en": "Contradicts the notes"},
    "sources": {"zh": "来源", "en": "Sources"},
    "from_notes": {"zh": "笔记原文", "en": "From your notes"},
    "llm_down": {"zh": "LLM 服务不可用：", "en": "The LLM server is unavailable: "},
    "kept": {"zh": "你输入的内容已保留，服务恢复后可以重新发送。", "en": "Your text is kept; send it again when the server is back."},
    "no_index": {"zh": "还没有索引。请在「资料库」上传文档。", "en": "No index yet. Upload a document in the Library."},
    "upload": {"zh": "上传文档（txt, md, html, pdf, docx）", "en": "Upload documents (txt, md, html, pdf, docx)"},
    "index_name": {"zh": "索引名称", "en": "Index name"},
    "build": {"zh": "建立索引", "en": "Build index"},
    "active_index": {"zh": "当前索引", "en": "Active index"},
    "no_grades": {"zh": "还没有评分记录。先做一次模拟面试吧。", "en": "No graded answers yet. Do a mock interview first."},
    "weakest": {"zh": "最弱的题目排在前面", "en": "Weakest questions first"},
    "export": {"zh": "导出会话", "en": "Export a session"},
    "checking": {"zh": "正在生成答案，并逐句对照你的笔记核对…", "en": "Writing an answer, then checking each sentence against your notes…"},
    "checked": {"zh": "笔记支持 {kept}/{written} 句", "en": "{kept} of {written} sentences supported by your notes"},
    "left_out": {"zh": "未显示的 {n} 句（笔记中没有依据）", "en": "{n} sentence(s) left out (not in your notes)"},
    "small_model": {"zh": "小型 CPU 模型写的内容没有通过笔记核对，所以这里直接给出笔记原文。",
                    "en": "The small CPU model's text did not check out against your notes, so this is the notes' own words."},
    "study_next": {"zh": "接下来复习", "en": "Study next"},
    "study_next_line": {"zh": "**Q{id} {question}** — 平均 {mean}/10（{attempts} 次作答）",
                        "en": "**Q{id} {question}** — mean {mean}/10 over {attempts} answer(s)"},
    "most_missed": {"zh": "最常遗漏：", "en": "Most often missed: "},
    "question": {"zh": "题目", "en": "Question"},
    "mean": {"zh": "平均分", "en": "Mean"},
    "latest": {"zh": "最近", "en": "Latest"},
    "best": {"zh": "最好", "en": "Best"},
    "attempts": {"zh": "次数", "en": "Answers"},
    "last_practised": {"zh": "最近练习", "en": "Last practised"},
    "order": {"zh": "出题顺序", "en": "Question order"},
    "persona": {"zh": "面试官风格", "en": "Interviewer persona"},
    "sampling": {"zh": "采样参数", "en": "Sampling"},
}


def t(key: str, language: str) -> str:
    return STRINGS[key]["zh" if language == "zh" else "en"]
