"""Bank of chapter 00 (welcome): the one warm-up exercise, to_grayscale.

Each string is the whole source of the exercise cell. Every "wrong" entry must lose
the points of test_to_grayscale; every "correct" entry must keep them.
"""

HEAD = '''def to_grayscale(rgb):
    """Luminance of an RGB image: (H, W, 3) -> (H, W), 0.299 R + 0.587 G + 0.114 B."""
'''

EXERCISES = {
    "to_grayscale": {
        "wrong": {
            "plain_mean": HEAD + '''    return rgb.astype(float).mean(axis=2)
''',
            "weights_reversed": HEAD + '''    return rgb.astype(float) @ np.array([0.114, 0.587, 0.299])
''',
            "rounds_back_to_uint8": HEAD + '''    red, green, blue = rgb[:, :, 0], rgb[:, :, 1], rgb[:, :, 2]
    return (red * 0.299 + green * 0.587 + blue * 0.114).astype(rgb.dtype)
''',
            "keeps_channel_axis": HEAD + '''    return rgb.astype(float) @ np.array([[0.299], [0.587], [0.114]])
''',
            "wrong_axis": HEAD + '''    weights = np.array([0.299, 0.587, 0.114])
    return np.tensordot(weights, rgb.astype(float)[:3], axes=(0, 0))
''',
            "divides_by_255": HEAD + '''    return rgb.astype(float) @ np.array([0.299, 0.587, 0.114]) / 255
''',
        },
        "correct": {
            "matmul": HEAD + '''    return rgb.astype(float) @ np.array([0.299, 0.587, 0.114])
''',
            "channel_by_channel": HEAD + '''    rgb = rgb.astype(float)
    return 0.299 * rgb[:, :, 0] + 0.587 * rgb[:, :, 1] + 0.114 * rgb[:, :, 2]
''',
            "einsum": HEAD + '''    return np.einsum("hwc,c->hw", rgb.astype(float), np.array([0.299, 0.587, 0.114]))
''',
            "float32": HEAD + '''    return (rgb.astype(np.float32) * np.array([0.299, 0.587, 0.114], dtype=np.float32)).sum(axis=2)
''',
        },
    },
}
