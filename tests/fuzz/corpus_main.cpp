// Replays a fuzz target's corpus without libFuzzer, so every build (any compiler, sanitizers or
// not) runs the seeds and the inputs of fixed crashes as a regression test:
//     fuzz_<name>_corpus_replay DIR_OR_FILE...
// Fails when an argument names nothing, or a directory holds no input: a corpus that silently
// went missing would make the test pass without testing anything.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

namespace {

bool replay(const std::filesystem::path &file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", file.c_str());
        return false;
    }
    const std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::fprintf(stderr, "running %s (%zu bytes)\n", file.c_str(), bytes.size());
    // A copy of exactly the input's size, so ASan sees a read past its end.
    std::vector<uint8_t> data(bytes.begin(), bytes.end());
    LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    int inputs = 0;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path path(argv[i]);
        std::error_code error;
        if (std::filesystem::is_regular_file(path, error)) {
            if (!replay(path))
                return 1;
            ++inputs;
            continue;
        }
        if (!std::filesystem::is_directory(path, error)) {
            std::fprintf(stderr, "%s is neither a file nor a directory\n", argv[i]);
            return 1;
        }
        std::vector<std::filesystem::path> files;
        for (const auto &entry : std::filesystem::directory_iterator(path))
            if (entry.is_regular_file())
                files.push_back(entry.path());
        if (files.empty()) {
            std::fprintf(stderr, "%s holds no input\n", argv[i]);
            return 1;
        }
        std::sort(files.begin(), files.end()); // the same order on every run
        for (const auto &file : files) {
            if (!replay(file))
                return 1;
            ++inputs;
        }
    }
    std::fprintf(stderr, "%d inputs ran without a finding\n", inputs);
    return 0;
}
